// Tiny i18n: a flat key → string map per language, applied to [data-i18n*] attributes in
// the DOM and available to code via t(). Ukrainian is the default (the checklist's language).
import uk from "./i18n/uk.js";
import en from "./i18n/en.js";

const DICTIONARIES = { uk, en };
export const LANGUAGES = Object.keys(DICTIONARIES);
const DEFAULT_LANGUAGE = "uk";
const STORAGE_KEY = "foryou.lang";

let current = DEFAULT_LANGUAGE;

/** The user's explicit choice wins; else the browser's preferred languages; else Ukrainian. */
export function detectLanguage() {
  const stored = safeGet(STORAGE_KEY);
  if (stored && DICTIONARIES[stored]) return stored;
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of preferred) {
    const base = String(tag || "").toLowerCase().split("-")[0];
    if (DICTIONARIES[base]) return base;
  }
  // The server already chose from Accept-Language for <html lang>; use it as a last hint.
  const served = document.documentElement.lang;
  return DICTIONARIES[served] ? served : DEFAULT_LANGUAGE;
}

export function getLanguage() {
  return current;
}

export function setLanguage(lang, { remember = false } = {}) {
  current = DICTIONARIES[lang] ? lang : DEFAULT_LANGUAGE;
  document.documentElement.lang = current;
  if (remember) safeSet(STORAGE_KEY, current);
  applyTranslations(document);
  window.dispatchEvent(new CustomEvent("langchange", { detail: current }));
}

/** Translate a key, filling {placeholders}; an unknown key falls back to Ukrainian, then the key. */
export function t(key, params = {}) {
  const template = DICTIONARIES[current][key] ?? DICTIONARIES[DEFAULT_LANGUAGE][key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

export function has(key) {
  return key in DICTIONARIES[current] || key in DICTIONARIES[DEFAULT_LANGUAGE];
}

/** Fill text and attributes of every element under `root` that names a key. */
export function applyTranslations(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  for (const el of root.querySelectorAll("[data-i18n-aria-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
  }
}

// Storage can throw (private mode, disabled storage); the language choice is not worth failing for.
function safeGet(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function safeSet(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    /* not persisted: the choice still applies to this page */
  }
}
