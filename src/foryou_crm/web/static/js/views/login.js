// Sign-in with the app account. In the demo the service tells us the demo user's
// credentials (GET /api/meta) and we prefill them; in production meta.demo is false.
import { api } from "../api.js";
import { $, fromTemplate, setText, show } from "../dom.js";
import { explainApiError } from "../errors.js";
import { t } from "../i18n.js";
import { saveSession } from "../session.js";

export function renderLogin(root, { messageKey, onSuccess }) {
  root.replaceChildren(fromTemplate("tpl-login"));
  const form = $("#login-form", root);
  const email = $("#login-email", root);
  const password = $("#login-password", root);
  const submit = $("#login-submit", root);
  const error = $("#login-error", root);
  const message = $("#login-message", root);
  let busy = false;

  const renderMessage = () => {
    show(message, Boolean(messageKey));
    if (messageKey) setText(message, t(messageKey));
  };
  renderMessage();

  // Once someone is in a field, the demo's credentials must not land in it: a fill that
  // arrives between their select-all and their typing would be joined to what they type.
  let touched = false;
  for (const field of [email, password]) {
    field.addEventListener("focus", () => { touched = true; }, { once: true });
  }
  prefillDemo(root, email, password, () => touched);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    show(error, false);
    if (!email.value.trim() || !password.value) {
      setText(error, t("login.missingFields"));
      show(error, true);
      (email.value.trim() ? password : email).focus();
      return;
    }
    busy = true;
    submit.disabled = true;
    setText(submit, t("login.submitting"));
    try {
      const data = await api("/api/auth/login", {
        method: "POST",
        body: { email: email.value.trim(), password: password.value },
        auth: false,
      });
      saveSession(data.accessToken, data.user);
      onSuccess();
    } catch (failure) {
      setText(error, explainApiError(failure));
      show(error, true);
      password.focus();
    } finally {
      busy = false;
      submit.disabled = false;
      setText(submit, t("login.submit"));
    }
  });

  const onLang = () => renderMessage();
  window.addEventListener("langchange", onLang);
  return () => window.removeEventListener("langchange", onLang);
}

async function prefillDemo(root, email, password, touched) {
  try {
    const meta = await api("/api/meta", { auth: false });
    // Only fill fields nobody has been in yet.
    if (meta?.demo && meta.demoUser && !touched() && !email.value && !password.value) {
      email.value = meta.demoUser.email;
      password.value = meta.demoUser.password;
      show($("#login-demo-hint", root), true);
    }
  } catch {
    /* meta is a convenience; sign-in works without it */
  }
}
