// Locale-aware formatting for prices and dates in the current UI language.
import { getLanguage } from "./i18n.js";

const LOCALES = { uk: "uk-UA", en: "en-GB" };

function locale() {
  return LOCALES[getLanguage()] ?? "uk-UA";
}

export function formatPrice(value) {
  if (value === null || value === undefined || value === "") return "—";
  const number = Number(value);
  if (!Number.isFinite(number)) return "—";
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 }).format(number);
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
