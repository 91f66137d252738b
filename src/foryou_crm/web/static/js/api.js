// The one place that talks to the service: unwraps the {success, data | error} envelope,
// attaches the Bearer JWT and turns every failure into an ApiError with a machine code.
import { clearSession, getToken } from "./session.js";

export class ApiError extends Error {
  constructor(status, code, message, details, retryAfter, fromServer = false) {
    super(message || code);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
    // The service's envelope said so (its `message` is English prose, never shown in Ukrainian).
    this.fromServer = fromServer;
  }
}

/** Fired once per 401 from an authenticated call; main.js sends the user back to sign-in. */
export const AUTH_EXPIRED_EVENT = "auth:expired";

/**
 * @param expireOn401 false when the caller handles a 401 itself (the callback screen keeps its
 *   one-time code and asks for sign-in); the stale session is cleared either way.
 */
export async function api(path, { method = "GET", query, body, auth = true, expireOn401 = true } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null && item !== "") url.searchParams.append(name, String(item));
    }
  }
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (auth) {
    const token = getToken();
    if (!token) {
      expire(expireOn401);
      throw new ApiError(401, "UNAUTHORIZED", "Not signed in");
    }
    headers.Authorization = `Bearer ${token}`;
  }

  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "same-origin",
    });
  } catch (error) {
    throw new ApiError(0, "NETWORK_ERROR", String(error));
  }

  let payload = null;
  try {
    payload = await response.json();
  } catch {
    // A non-JSON body (a proxy's error page, an empty 502) is handled as a plain HTTP error.
  }
  if (response.ok && payload?.success) return payload.data;

  const error = payload?.error ?? {};
  if (response.status === 401 && auth) expire(expireOn401);
  throw new ApiError(
    response.status,
    error.code ?? (response.ok ? "BAD_RESPONSE" : `HTTP_${response.status}`),
    error.message ?? response.statusText,
    error.details,
    Number(response.headers.get("Retry-After")) || undefined,
    typeof error.code === "string",
  );
}

function expire(notify) {
  clearSession();
  if (notify) window.dispatchEvent(new CustomEvent(AUTH_EXPIRED_EVENT));
}
