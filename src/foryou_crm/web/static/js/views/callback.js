// The callback screen (/app/amo-crm/callback?code&state | ?error&state): what the service's
// "Redirecting to app..." page opens for client=web, and the web twin of the mobile deep link.
import { api } from "../api.js";
import { startConnect } from "../connect.js";
import { $, fromTemplate, setText, show } from "../dom.js";
import { errorTitle, explain, explainApiError } from "../errors.js";
import { forgetAttemptSecret, getAttemptSecret, getToken } from "../session.js";

export function parseCallback(search) {
  const params = new URLSearchParams(search);
  return {
    code: params.get("code"),
    state: params.get("state"),
    error: params.get("error"),
  };
}

/**
 * @param params   {code, state, error} read from the URL before it was cleaned
 * @param onDone   called with the new status after a successful exchange
 * @param requireLogin called with a continuation when there is no (valid) JWT
 */
export function renderCallback(root, { params, onDone, requireLogin }) {
  root.replaceChildren(fromTemplate("tpl-callback"));
  const processing = $("#callback-processing", root);
  const errorBox = $("#callback-error", root);
  const actions = $("#callback-actions", root);
  const retry = $("#callback-retry", root);
  let disposed = false;
  let failure = null; // {code} or {apiError}, re-rendered on language change

  function fail(next) {
    failure = next;
    renderFailure();
    show(processing, false);
    show(errorBox, true);
    show(actions, true);
    retry.focus();
  }

  function renderFailure() {
    if (!failure) return;
    const code = failure.apiError?.code ?? failure.code;
    setText($("#callback-error-title", root), errorTitle(code));
    setText(
      $("#callback-error-text", root),
      failure.apiError ? explainApiError(failure.apiError) : explain(failure.code),
    );
  }

  retry.addEventListener("click", async () => {
    retry.disabled = true;
    try {
      await startConnect(); // leaves the page on success
    } catch (error) {
      retry.disabled = false;
      if (error.status !== 401) fail({ apiError: error });
    }
  });

  async function exchange() {
    if (params.error) return fail({ code: params.error });
    if (!params.code || !params.state) return fail({ code: "missing_params" });
    if (!getToken()) return requireLogin();

    const appVerifier = getAttemptSecret(params.state);
    const body = { code: params.code, state: params.state };
    if (appVerifier) body.appVerifier = appVerifier;
    console.info("exchange-code called");
    try {
      // expireOn401: false — a 401 here means "sign in again and finish", not "start over";
      // the one-time code is still unused, so we keep it and continue after sign-in.
      const status = await api("/api/amo-crm/exchange-code", { method: "POST", body, expireOn401: false });
      forgetAttemptSecret(params.state);
      if (!disposed) onDone(status);
    } catch (error) {
      if (disposed) return;
      if (error.status === 401) return requireLogin();
      fail({ apiError: error });
    }
  }

  const onLang = () => renderFailure();
  window.addEventListener("langchange", onLang);
  exchange();
  return () => {
    disposed = true;
    window.removeEventListener("langchange", onLang);
  };
}
