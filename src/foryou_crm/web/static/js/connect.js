// Starting the amoCRM OAuth flow from the browser. The service returns the consent URL; we
// leave the page with location.assign so the consent page and the callback happen in this
// tab, where sessionStorage (the JWT and the app verifier) is still available afterwards.
import { api } from "./api.js";
import { putAttemptSecret } from "./session.js";

export async function startConnect() {
  const proof = await makeAppProof();
  const query = { client: "web" };
  if (proof) query.appChallenge = proof.challenge;
  const data = await api("/api/amo-crm/auth-url", { query });
  // The verifier proves at exchange time that the code comes back to the tab that asked for
  // it (a leaked callback URL is useless elsewhere), like PKCE for the app's own hop.
  if (proof) putAttemptSecret(data.state, proof.verifier);
  window.location.assign(data.url);
}

/** A PKCE-style verifier/challenge pair, or null where WebCrypto is unavailable (plain http). */
async function makeAppProof() {
  if (!window.crypto?.subtle) return null;
  const verifier = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return { verifier, challenge: base64Url(new Uint8Array(digest)) };
}

function base64Url(bytes) {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
