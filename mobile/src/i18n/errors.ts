import { ApiError, NETWORK_ERROR } from '../api/client';
import { t } from './index';

/**
 * One sentence for a failed request. A network failure is said in the app's words; an API error
 * still shows the server's message as it is — a sentence per error code in both languages is the
 * shared glossary's job (issue 17, item 4), which will replace this fallback.
 */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    return error.code === NETWORK_ERROR ? t('err.NETWORK_ERROR') : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** A 401 signs the session out (ApiClient's hook); the screen shows nothing for it. */
export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.isUnauthorized;
}
