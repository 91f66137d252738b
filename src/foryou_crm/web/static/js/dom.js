// DOM helpers. Data from the API is only ever written with textContent / properties, never
// as HTML, so a lead called "<img onerror=…>" stays text. Every visible word comes from the
// dictionaries (i18n.js) except inside elements marked `data-api` (names, amounts, dates from
// the account); tests/e2e/test_vocabulary.py checks the rendered screens for exactly that.
import { applyTranslations } from "./i18n.js";

export function $(selector, root = document) {
  const el = root.querySelector(selector);
  if (!el) throw new Error(`missing element ${selector}`);
  return el;
}

/** Clone a <template> from index.html and translate it. */
export function fromTemplate(id) {
  const template = document.getElementById(id);
  const fragment = template.content.cloneNode(true);
  applyTranslations(fragment);
  return fragment;
}

export function show(el, visible = true) {
  el.hidden = !visible;
}

export function setText(el, text) {
  el.textContent = text ?? "";
}

/**
 * @param fromApi the label is the account's data (a pipeline, stage or user name), not a word
 *   of the dictionaries: marked `data-api`, like every element that shows API data.
 */
export function option(value, label, { fromApi = false } = {}) {
  const el = document.createElement("option");
  el.value = String(value);
  el.textContent = label;
  if (fromApi) el.dataset.api = "";
  return el;
}

/** Only http(s) links from the API become hrefs — never javascript: or data: URLs. */
export function safeHttpUrl(value) {
  try {
    const url = new URL(String(value));
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

/** amoCRM stage colours are hex strings; anything else is ignored rather than injected. */
export function safeColor(value) {
  return /^#[0-9a-f]{3,8}$/i.test(String(value ?? "")) ? value : null;
}

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
