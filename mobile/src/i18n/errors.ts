/** Error codes (the API's `error.code`, a callback link's `error=`) as sentences. */
import { ApiError } from '../api/client';
import { isMessageKey, t, type Params } from './index';

/** The `err.<code>` sentence, shared with the web screen's dictionary; null for an unknown code. */
export function explainCode(code: string, params?: Params): string | null {
  const key = `err.${code}`;
  return isMessageKey(key) ? t(key, params) : null;
}

/**
 * One sentence for a failed request: the app's own sentence for a code it knows; otherwise the
 * server's message as it is — a sentence for every API error code in both languages is the
 * shared glossary's job (issue 17, item 4), which will replace this fallback.
 */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return explainCode(error.code) ?? error.message;
  return error instanceof Error ? error.message : String(error);
}

/** A 401 signs the session out (ApiClient's hook); the screen shows nothing for it. */
export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.isUnauthorized;
}
