// Turning machine error codes (callback ?error=…, API error codes) into sentences. Every code
// the API can return has one in the glossary (tests/web/test_glossary.py keeps it so); a code
// this screen does not know yet gets the generic sentence with the code — or, in English only,
// the server's own (English) message.
import { has, serverText, t } from "./i18n.js";

export function explain(code, params = {}) {
  const key = `err.${code}`;
  return has(key) ? t(key, params) : t("err.generic", { code });
}

export function explainApiError(error) {
  const code = error?.code ?? "server_error";
  if (code === "TOO_MANY_ATTEMPTS") return explain(code, { seconds: error.retryAfter ?? 60 });
  if (!has(`err.${code}`) && error?.fromServer) return serverText(error.message) || explain(code);
  return explain(code);
}

export function errorTitle(code) {
  const key = `err.${code}.title`;
  return has(key) ? t(key) : t("callback.errorTitle");
}
