// The app JWT lives in sessionStorage: it survives the same-tab round trip through the amoCRM
// consent page (needed to finish the callback) but not closing the tab, and it is never sent
// automatically like a cookie would be (so no CSRF surface).
const TOKEN_KEY = "foryou.jwt";
const USER_KEY = "foryou.user";

export function getToken() {
  return read(TOKEN_KEY);
}

export function getUser() {
  const raw = read(USER_KEY);
  if (!raw) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

export function saveSession(accessToken, user) {
  write(TOKEN_KEY, accessToken);
  write(USER_KEY, JSON.stringify(user ?? null));
}

export function clearSession() {
  remove(TOKEN_KEY);
  remove(USER_KEY);
}

/** Per-attempt secrets (the app verifier) keyed by the OAuth state they belong to. */
export function putAttemptSecret(state, value) {
  write(`foryou.verifier.${state}`, value);
}

export function getAttemptSecret(state) {
  return read(`foryou.verifier.${state}`);
}

export function forgetAttemptSecret(state) {
  remove(`foryou.verifier.${state}`);
}

function read(key) {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key, value) {
  try {
    sessionStorage.setItem(key, value);
  } catch {
    /* storage disabled: the session lasts only as long as this page */
  }
}

function remove(key) {
  try {
    sessionStorage.removeItem(key);
  } catch {
    /* nothing stored */
  }
}
