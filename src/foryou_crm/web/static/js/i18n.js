// Tiny i18n: a flat key → string map per language, applied to [data-i18n*] attributes in
// the DOM and available to code via t(). Ukrainian is the default (the checklist's language).
//
// The words are the glossary shared with the mobile app: static/i18n/{uk,en}.json, the one
// source of truth (the app keeps a checked copy, mobile/src/i18n/glossary/). JSON, not JS, so
// both can read it; fetched here because JSON module imports are not yet in every phone browser.
export const LANGUAGES = ["uk", "en"];
const DEFAULT_LANGUAGE = "uk";
const STORAGE_KEY = "foryou.lang";
const DICTIONARIES = Object.fromEntries(
  await Promise.all(LANGUAGES.map(async (lang) => [lang, await loadDictionary(lang)])),
);

async function loadDictionary(lang) {
  try {
    const response = await fetch(new URL(`../i18n/${lang}.json`, import.meta.url), { cache: "no-cache" });
    if (response.ok) return await response.json();
    console.error(`dictionary ${lang}: HTTP ${response.status}`);
  } catch (error) {
    console.error(`dictionary ${lang}: ${error}`);
  }
  return {}; // t() then shows keys: the screen still works, visibly untranslated
}

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

/** Sentences from the server are English: shown (as a detail) only when the UI is English. */
export function serverText(text) {
  return current === "en" && text ? String(text) : "";
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
