/**
 * Numbers and dates as the app's language writes them (Intl; Hermes ships ECMA-402 on both
 * platforms, the web build uses the browser's).
 */
import { getLanguage, LOCALES, type Language } from './index';

/**
 * The one place a lead's budget is formatted. `currency` is the account's ISO 4217 code once
 * the API reports it; until then the amount is a plain grouped number — never a guessed currency.
 */
export function formatPrice(value: number | null | undefined, currency: string | null = null, language: Language = getLanguage()): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const options: Intl.NumberFormatOptions = currency
    ? { style: 'currency', currency, minimumFractionDigits: 0, maximumFractionDigits: 2 }
    : { maximumFractionDigits: 2 };
  return new Intl.NumberFormat(LOCALES[language], options).format(value);
}

function toDate(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The calendar day in the device's time zone (the filters' date ranges use the same days). */
export function formatDate(iso: string | null | undefined, language: Language = getLanguage()): string {
  const date = toDate(iso);
  if (!date) return '—';
  return new Intl.DateTimeFormat(LOCALES[language], { year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

export function formatDateTime(iso: string | null | undefined, language: Language = getLanguage()): string {
  const date = toDate(iso);
  if (!date) return '—';
  return new Intl.DateTimeFormat(LOCALES[language], {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).format(date);
}
