// Turning machine error codes (callback ?error=…, API error codes) into sentences.
import { has, t } from "./i18n.js";

export function explain(code, params = {}) {
  const key = `err.${code}`;
  return has(key) ? t(key, params) : t("err.generic", { code });
}

export function explainApiError(error) {
  if (error?.code === "TOO_MANY_ATTEMPTS") {
    return explain(error.code, { seconds: error.retryAfter ?? 60 });
  }
  return explain(error?.code ?? "server_error");
}

export function errorTitle(code) {
  const key = `err.${code}.title`;
  return has(key) ? t(key) : t("callback.errorTitle");
}
