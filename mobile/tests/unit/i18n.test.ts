import { readFileSync } from 'fs';
import { join } from 'path';

import { ApiError } from '../../src/api/client';
import { CALLBACK_ERROR_CODES } from '../../src/amocrm/callbackUrl';
import { endedSentence } from '../../src/amocrm/ended';
import { isMessageKey, LOCALES, MESSAGES, setLanguage, t, translate } from '../../src/i18n';
import { describeError, explainCode } from '../../src/i18n/errors';
import { formatDate, formatDateTime, formatPrice } from '../../src/i18n/format';

const WEB_GLOSSARY = join(__dirname, '../../../src/foryou_crm/web/static/i18n');
const APP_GLOSSARY = join(__dirname, '../../src/i18n/glossary');

describe('i18n', () => {
  it.each(['uk', 'en'])('the app’s glossary %s.json is the web screen’s (else: npm run glossary)', (language) => {
    const copy = readFileSync(join(APP_GLOSSARY, `${language}.json`), 'utf8');
    expect(copy).toBe(readFileSync(join(WEB_GLOSSARY, `${language}.json`), 'utf8'));
  });

  it('amoCRM’s own words: «Угоди», «Бюджет», «Етап», «Воронка» (the web screen says the same)', () => {
    expect([t('leads.title'), t('leads.price'), t('leads.status'), t('leads.pipeline')]).toEqual(['Угоди', 'Бюджет', 'Етап', 'Воронка']);
  });

  it('Ukrainian and English have the same keys, none empty', () => {
    expect(Object.keys(MESSAGES.en).sort()).toEqual(Object.keys(MESSAGES.uk).sort());
    for (const [language, messages] of Object.entries(MESSAGES)) {
      for (const [key, text] of Object.entries(messages)) expect([language, key, text.trim().length > 0]).toEqual([language, key, true]);
    }
  });

  it('placeholders in a message are the same in both languages', () => {
    const names = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();
    for (const key of Object.keys(MESSAGES.uk) as (keyof typeof MESSAGES.uk)[]) {
      expect([key, names(MESSAGES.en[key])]).toEqual([key, names(MESSAGES.uk[key])]);
    }
  });

  it('the app speaks Ukrainian; placeholders are filled, unknown ones stay visible', () => {
    expect(t('leads.total', { total: 3 })).toBe('Знайдено: 3');
    expect(translate('en', 'leads.total', { total: 3 })).toBe('Found: 3');
    expect(t('leads.total')).toBe('Знайдено: {total}');
    expect(t('sort.-price')).toBe('Бюджет: більший спочатку');
  });
});

describe('error sentences', () => {
  it('every error= code of the hand-over link has a sentence (the web screen’s key)', () => {
    for (const code of CALLBACK_ERROR_CODES) expect([code, isMessageKey(`err.${code}`)]).toEqual([code, true]);
    expect(explainCode('no-such-code')).toBeNull();
  });

  it('API errors: a known code in the glossary’s words; never the server’s English in Ukrainian', () => {
    expect(describeError(new ApiError(409, 'AMO_NOT_CONNECTED', 'AMO CRM is not connected'))).toBe('AMO CRM не підключено.');
    expect(describeError(new ApiError(0, 'NETWORK_ERROR', 'Network error: refused'))).toMatch(/^Немає з'єднання/);
    expect(describeError(new ApiError(503, 'AMOCRM_RATE_LIMITED', 'slow down'))).toBe('AMO CRM просить надсилати менше запитів. Спробуйте за хвилину.');
    expect(describeError(new ApiError(500, 'SOMETHING_NEW', 'Server said so'))).toBe('Щось пішло не так (SOMETHING_NEW). Спробуйте ще раз.');
    expect(describeError(new Error('plain'))).toBe('Щось пішло не так. Спробуйте ще раз.');
    expect(describeError('text')).toBe('Щось пішло не так. Спробуйте ще раз.');
  });

  it('in English, a code the app does not know falls back to the server’s message', () => {
    setLanguage('en');
    try {
      expect(describeError(new ApiError(409, 'AMO_NOT_CONNECTED', 'x'))).toBe('AMO CRM is not connected.');
      expect(describeError(new ApiError(500, 'SOMETHING_NEW', 'Server said so'))).toBe('Server said so');
      expect(describeError(new Error('plain'))).toBe('plain');
    } finally {
      setLanguage('uk');
    }
  });
});

describe('why a connection ended', () => {
  const at = '2026-11-27T08:05:00Z';
  const domain = 'reforyou.amocrm.ru';

  it.each([
    ['agent_disconnected', 'Ви відключили AMO CRM (reforyou.amocrm.ru) 27.11.2026, 10:05. Щоб знову бачити угоди, підключіть AMO CRM ще раз.'],
    ['integration_removed', 'Інтеграцію ForYou CRM вимкнено в акаунті AMO CRM reforyou.amocrm.ru 27.11.2026, 10:05.'],
    ['refresh_refused', 'AMO CRM (reforyou.amocrm.ru) перестав приймати це підключення 27.11.2026, 10:05.'],
    ['admin_removed', 'Адміністратор ForYou CRM відключив ваш AMO CRM (reforyou.amocrm.ru) 27.11.2026, 10:05.'],
    ['something_newer', 'Підключення до AMO CRM (reforyou.amocrm.ru) завершилося 27.11.2026, 10:05. Підключіть AMO CRM знову.'],
  ])('%s, in Kyiv time', (reason, start) => {
    expect(endedSentence({ reason, at, domain }).startsWith(start)).toBe(true);
  });

  it('in English too', () => {
    setLanguage('en');
    try {
      expect(endedSentence({ reason: 'integration_removed', at, domain })).toBe(
        'The ForYou CRM integration was switched off in the AMO CRM account reforyou.amocrm.ru on 27/11/2026, 10:05. ' +
          'Connect AMO CRM again; if that fails, ask an administrator of that AMO CRM account to grant access first.',
      );
    } finally {
      setLanguage('uk');
    }
  });
});

describe('formatting', () => {
  it('budget: grouped per language, no currency until the account gives one', () => {
    expect(formatPrice(1250000)).toBe('1\u00a0250\u00a0000');
    expect(formatPrice(1250000, null, 'en')).toBe('1,250,000');
    expect(formatPrice(0)).toBe('0');
    expect(formatPrice(null)).toBe('—');
    expect(formatPrice(Number.NaN)).toBe('—');
  });

  it('budget with the account currency (ISO 4217), once the API reports it', () => {
    expect(formatPrice(1500, 'UAH')).toBe('1\u00a0500\u00a0₴');
    expect(formatPrice(1500, 'USD', 'en')).toBe('US$1,500');
  });

  it('dates are the device’s local day (Kyiv in these tests)', () => {
    expect(LOCALES.uk).toBe('uk-UA');
    expect(formatDate('2026-03-31T22:30:00Z')).toBe('01.04.2026');
    expect(formatDate(null)).toBe('—');
    expect(formatDate('not a date')).toBe('—');
    expect(formatDateTime('2026-11-27T02:01:00Z')).toBe('27.11.2026, 04:01');
  });
});
