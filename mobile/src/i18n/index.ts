/**
 * Every visible string of the app comes from here: the glossary shared with the web screen,
 * `src/i18n/glossary/{uk,en}.json` — a committed copy of the backend's
 * `src/foryou_crm/web/static/i18n/*.json` (`npm run glossary`; tests fail when it drifts).
 * The only other text on screen is the account's data, drawn with `DataText` (src/ui).
 * The app speaks Ukrainian; English is the glossary's second language (`setLanguage`).
 */
import en from './glossary/en.json';
import uk from './glossary/uk.json';

export type MessageKey = keyof typeof uk;
export type Language = 'uk' | 'en';
export type Params = Record<string, string | number>;

/** Both languages, key for key: a key missing in English is a type error here. */
export const MESSAGES: Record<Language, Record<MessageKey, string>> = { uk, en };

/** BCP 47 locale per language, for Intl formatting. */
export const LOCALES: Record<Language, string> = { uk: 'uk-UA', en: 'en-GB' };

let current: Language = 'uk';

/** The app's language: Ukrainian unless set otherwise before the screens render. */
export function getLanguage(): Language {
  return current;
}

export function setLanguage(language: Language): void {
  current = language;
}

/** `{name}` placeholders are replaced from params; an unknown placeholder stays visible. */
export function translate(language: Language, key: MessageKey, params: Params = {}): string {
  return MESSAGES[language][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(MESSAGES.uk, key);
}

export function t(key: MessageKey, params?: Params): string {
  return translate(current, key, params);
}
