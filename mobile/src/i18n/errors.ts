/** Error codes (the API's `error.code`, a callback link's `error=`) as sentences. */
import { ApiError } from '../api/client';
import { getLanguage, isMessageKey, t, type Params } from './index';

/** The `err.<code>` sentence of the shared glossary; null for a code it does not have. */
export function explainCode(code: string, params?: Params): string | null {
  const key = `err.${code}`;
  return isMessageKey(key) ? t(key, params) : null;
}

/**
 * One sentence for a failed request. Every code the API can return has one in the glossary
 * (the backend's tests/web/test_glossary.py keeps it so); for a code the app does not know yet,
 * the generic sentence with the code — or, on an English screen only, the (English) message.
 */
export function describeError(error: unknown): string {
  const english = getLanguage() === 'en';
  if (error instanceof ApiError) {
    return explainCode(error.code) ?? (english && error.message ? error.message : t('err.generic', { code: error.code }));
  }
  const message = error instanceof Error ? error.message : String(error);
  return english && message ? message : t('err.UNKNOWN');
}

/** A 401 signs the session out (ApiClient's hook); the screen shows nothing for it. */
export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.isUnauthorized;
}
