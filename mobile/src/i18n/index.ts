/**
 * Every visible string of the app comes from here. The app speaks Ukrainian; English is
 * kept key for key so a later glossary shared with the web screen can take both.
 */
import { en } from './en';
import { uk, type MessageKey } from './uk';

export type { MessageKey };
export type Language = 'uk' | 'en';
export type Params = Record<string, string | number>;

export const MESSAGES: Record<Language, Record<MessageKey, string>> = { uk, en };

/** BCP 47 locale per language, for Intl formatting. */
export const LOCALES: Record<Language, string> = { uk: 'uk-UA', en: 'en-GB' };

/** The app's language. Fixed: the app has no language switch (yet). */
export const LANGUAGE: Language = 'uk';

/** `{name}` placeholders are replaced from params; an unknown placeholder stays visible. */
export function translate(language: Language, key: MessageKey, params: Params = {}): string {
  return MESSAGES[language][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(MESSAGES[LANGUAGE], key);
}

export function t(key: MessageKey, params?: Params): string {
  return translate(LANGUAGE, key, params);
}
