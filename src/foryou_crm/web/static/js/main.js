// Entry point: picks the view for the current URL, owns the header (language, sign-out)
// and sends the user back to sign-in whenever the service answers 401.
import { AUTH_EXPIRED_EVENT } from "./api.js";
import { $ } from "./dom.js";
import { detectLanguage, getLanguage, setLanguage } from "./i18n.js";
import { clearSession, getToken, getUser } from "./session.js";
import { parseCallback, renderCallback } from "./views/callback.js";
import { renderCrm } from "./views/crm.js";
import { renderLogin } from "./views/login.js";

const APP_PATH = "/app";
const CALLBACK_PATH = "/app/amo-crm/callback";

const view = $("#view");
const main = $("#main");
let dispose = null;
let current = null; // name of the mounted view
let firstMount = true;

function mount(name, render, options) {
  dispose?.();
  current = name;
  dispose = render(view, options) ?? null;
  renderHeader();
  // Move focus to the new view's heading for keyboard and screen-reader users, except on
  // first load (where the browser's own focus handling is expected).
  const heading = view.querySelector("h1");
  if (heading) heading.tabIndex = -1;
  if (!firstMount) (heading ?? main).focus();
  firstMount = false;
}

function showLogin({ messageKey, then } = {}) {
  mount("login", renderLogin, {
    messageKey,
    // The address keeps the leads list's state (a shared link, an expired session): after
    // signing in, that same list opens.
    onSuccess: then ?? (() => go(APP_PATH + window.location.search)),
  });
}

function showCrm(initialStatus) {
  mount("crm", renderCrm, { initialStatus });
}

function showCallback(params) {
  mount("callback", renderCallback, {
    params,
    onDone: (status) => {
      // Back to the CRM page without leaving the callback URL (and its code) in history.
      window.history.replaceState(null, "", APP_PATH);
      showCrm(status);
    },
    requireLogin: () => showLogin({ messageKey: "login.finishConnect", then: () => showCallback(params) }),
  });
}

function go(path, { replace = true } = {}) {
  window.history[replace ? "replaceState" : "pushState"](null, "", path);
  route();
}

function route() {
  const path = window.location.pathname.replace(/\/+$/, "");
  if (path === CALLBACK_PATH) {
    console.info("deep link callback received");
    const params = parseCallback(window.location.search);
    // Drop the one-time code from the address bar and history right away.
    window.history.replaceState(null, "", CALLBACK_PATH);
    showCallback(params);
    return;
  }
  // Every other path under /app is the CRM page; its query (the leads list's state) is kept.
  if (window.location.pathname !== APP_PATH) {
    window.history.replaceState(null, "", APP_PATH + window.location.search);
  }
  if (!getToken()) showLogin();
  // Back/Forward within the CRM page only change the leads list's query; the list follows
  // the URL by itself (views/leads.js), so the page is not rebuilt.
  else if (current !== "crm") showCrm();
}

function renderHeader() {
  const user = getToken() ? getUser() : null;
  const email = $("#user-email");
  email.textContent = user?.email ?? "";
  email.hidden = !user?.email;
  $("#sign-out").hidden = !getToken();
}

function setupHeader() {
  const select = $("#lang-switch");
  select.value = getLanguage();
  select.addEventListener("change", () => setLanguage(select.value, { remember: true }));
  $("#sign-out").addEventListener("click", () => {
    clearSession();
    window.history.replaceState(null, "", APP_PATH);
    showLogin({ messageKey: "login.signedOut" });
  });
}

window.addEventListener(AUTH_EXPIRED_EVENT, () => {
  // Several requests can fail with 401 at once; show the sign-in screen only once.
  if (current === "login") return;
  // On the CRM page the list's query stays, so signing in again returns to the same list.
  if (window.location.pathname !== APP_PATH) window.history.replaceState(null, "", APP_PATH);
  showLogin({ messageKey: "login.sessionExpired" });
});
window.addEventListener("popstate", route);

setLanguage(detectLanguage());
setupHeader();
route();
