/**
 * Parsing of the hand-over link the backend's "Redirecting to app..." page opens:
 *   foryoure://amo-crm/callback?code=<completion code>&state=<state>
 *   foryoure://amo-crm/callback?error=<code>&state=<state>
 * (docs/contract.md). Extra parameters are ignored; a repeated code/state/error is rejected.
 *
 * Hand-rolled (no URL/URLSearchParams) because React Native's URL polyfill is incomplete.
 */
import { t } from '../i18n';
import { explainCode } from '../i18n/errors';

export const CALLBACK_PATH = 'amo-crm/callback';
export const CALLBACK_URL = `foryoure://${CALLBACK_PATH}`;
export const APP_SCHEMES = ['foryoure', 'com.foryourealestate.app'] as const;

/** Error codes the backend may put in `error=` (docs/contract.md). */
export const CALLBACK_ERROR_CODES = [
  'access_denied',
  'state_invalid',
  'referer_not_allowed',
  'exchange_failed',
  'amocrm_unavailable',
  'server_error',
] as const;
export type CallbackErrorCode = (typeof CALLBACK_ERROR_CODES)[number];

export type InvalidReason =
  | 'not_a_callback'
  | 'missing_code'
  | 'missing_state'
  | 'duplicate_param'
  | 'state_mismatch';

export type ParsedCallback =
  | { kind: 'code'; code: string; state: string }
  | { kind: 'error'; error: string; state: string | null }
  | { kind: 'invalid'; reason: InvalidReason };

/** expo-router's useLocalSearchParams() shape. */
export type CallbackParams = Record<string, string | string[] | undefined>;

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

export function parseQuery(query: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const q = query.startsWith('?') ? query.slice(1) : query;
  if (!q) return out;
  for (const part of q.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = safeDecode(eq === -1 ? part : part.slice(0, eq));
    const value = eq === -1 ? '' : safeDecode(part.slice(eq + 1));
    (out[key] ??= []).push(value);
  }
  return out;
}

/**
 * Whether a URL points at the app's callback route: either app scheme, an Expo dev URL
 * (`exp://host/--/amo-crm/callback`), or an http(s) URL whose path ends in /amo-crm/callback (web).
 */
export function isCallbackUrl(url: string): boolean {
  const noFragment = url.split('#')[0];
  const beforeQuery = noFragment.split('?')[0];
  const match = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(beforeQuery);
  if (!match) return false;
  const path = match[2].replace(/\/+$/, '');
  return path === CALLBACK_PATH || path.endsWith(`/${CALLBACK_PATH}`);
}

function normalizeParams(params: CallbackParams): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    out[key] = Array.isArray(value) ? value : [value];
  }
  return out;
}

function classify(params: Record<string, string[]>): ParsedCallback {
  for (const key of ['code', 'state', 'error']) {
    if ((params[key]?.length ?? 0) > 1) return { kind: 'invalid', reason: 'duplicate_param' };
  }
  const code = params.code?.[0] ?? '';
  const state = params.state?.[0] ?? '';
  const error = params.error?.[0] ?? '';
  if (error) return { kind: 'error', error, state: state || null };
  if (!state) return { kind: 'invalid', reason: 'missing_state' };
  if (!code) return { kind: 'invalid', reason: 'missing_code' };
  return { kind: 'code', code, state };
}

export function parseCallbackUrl(url: string): ParsedCallback {
  if (!isCallbackUrl(url)) return { kind: 'invalid', reason: 'not_a_callback' };
  const noFragment = url.split('#')[0];
  const qIndex = noFragment.indexOf('?');
  return classify(parseQuery(qIndex === -1 ? '' : noFragment.slice(qIndex + 1)));
}

export function parseCallbackParams(params: CallbackParams): ParsedCallback {
  return classify(normalizeParams(params));
}

/** Adds the attempt check: a code link is only accepted for the state this attempt started. */
export function checkState(parsed: ParsedCallback, expectedState: string | null): ParsedCallback {
  if (parsed.kind !== 'code') return parsed;
  if (!expectedState || parsed.state !== expectedState) {
    return { kind: 'invalid', reason: 'state_mismatch' };
  }
  return parsed;
}

/** Explanations for `error=` links and invalid links (shown with a retry button). */
export function describeCallbackError(error: string): string {
  return explainCode(error) ?? t('err.generic', { code: error });
}

export function describeInvalidReason(reason: InvalidReason | 'no_attempt'): string {
  switch (reason) {
    case 'state_mismatch':
    case 'no_attempt':
      return t(`err.${reason}`);
    case 'missing_code':
    case 'missing_state':
      return t('err.missing_params');
    case 'duplicate_param':
    case 'not_a_callback':
    default:
      return t('err.bad_link');
  }
}
