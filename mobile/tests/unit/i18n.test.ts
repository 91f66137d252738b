import { ApiError } from '../../src/api/client';
import { CALLBACK_ERROR_CODES } from '../../src/amocrm/callbackUrl';
import { isMessageKey, LOCALES, MESSAGES, t, translate } from '../../src/i18n';
import { describeError, explainCode } from '../../src/i18n/errors';
import { formatDate, formatDateTime, formatPrice } from '../../src/i18n/format';

describe('i18n', () => {
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

  it('API errors: a known code in the app’s words, else the server’s message; other failures as text', () => {
    expect(describeError(new ApiError(409, 'AMO_NOT_CONNECTED', 'AMO CRM is not connected'))).toBe('AMO CRM не підключено.');
    expect(describeError(new ApiError(0, 'NETWORK_ERROR', 'Network error: refused'))).toMatch(/^Немає з'єднання/);
    expect(describeError(new ApiError(500, 'SOMETHING_NEW', 'Server said so'))).toBe('Server said so');
    expect(describeError(new Error('plain'))).toBe('plain');
    expect(describeError('text')).toBe('text');
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
