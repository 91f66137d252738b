// Locale-aware formatting for prices and dates in the current UI language.
import { getLanguage } from "./i18n.js";

const LOCALES = { uk: "uk-UA", en: "en-GB" };

function locale() {
  return LOCALES[getLanguage()] ?? "uk-UA";
}

/**
 * The account's currency as an ISO 4217 code ("UAH", "RUB", "USD"…), or null when unknown.
 * This is the one place the screen learns it: amoCRM keeps it on the account
 * (GET /api/v4/account → `currency`) and the status answer will carry it as `currency`;
 * until it does, prices are shown as plain numbers.
 */
export function accountCurrency(status) {
  const code = String(status?.currency ?? "").trim().toUpperCase();
  return /^[A-Z]{3}$/.test(code) ? code : null;
}

/** A lead's budget in the UI language, with the account's currency when it is known. */
export function formatPrice(value, currency = null) {
  if (value === null || value === undefined || value === "") return "—";
  const number = Number(value);
  if (!Number.isFinite(number)) return "—";
  const options = { maximumFractionDigits: 2 };
  if (currency) {
    // narrowSymbol: "₴", "₽", "$" instead of "UAH"/"грн" variants; an account has one currency.
    Object.assign(options, { style: "currency", currency, currencyDisplay: "narrowSymbol", minimumFractionDigits: 0 });
  }
  // Any well-formed code formats (an unknown one shows as the code itself), so this cannot throw.
  return new Intl.NumberFormat(locale(), options).format(number);
}

/** Accepts ISO strings or Unix seconds (amoCRM's native format). */
export function toDate(value) {
  if (value === null || value === undefined || value === "") return null;
  const date = typeof value === "number" ? new Date(value < 1e12 ? value * 1000 : value) : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function formatDate(value) {
  const date = toDate(value);
  if (!date) return "—";
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(date);
}

export function isoDateTime(value) {
  const date = toDate(value);
  return date ? date.toISOString() : "";
}
