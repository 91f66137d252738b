/**
 * The single, idempotent completion of an amoCRM connect attempt.
 *
 * Both hand-over paths call `complete()`:
 *  - the auth session resolving `{type: 'success', url}` (iOS, most Android), and
 *  - the `amo-crm/callback` route receiving the deep link (Android may report `dismiss`
 *    from the auth session even after success, and deliver the link to the router).
 * The same (state, code) → the same promise, so the backend sees one exchange-code request.
 *
 * Only links whose `state` equals the state of the attempt this app started are
 * redeemed (with that attempt's verifier); anything else is rejected without a request.
 */
import { ApiError } from '../api/client';
import type { ForYouApi } from '../api/endpoints';
import type { AmoStatus } from '../api/types';
import { t } from '../i18n';
import { describeError, explainCode } from '../i18n/errors';
import { LOG, log as defaultLog, type LogFn } from '../log';
import {
  checkState,
  describeCallbackError,
  describeInvalidReason,
  parseCallbackParams,
  parseCallbackUrl,
  type CallbackParams,
  type InvalidReason,
} from './callbackUrl';

export interface ConnectAttempt {
  state: string;
  verifier: string;
  startedAt: number;
}

export type CompletionSource = 'auth-session' | 'deep-link';

export type CompletionResult =
  | { ok: true; status: AmoStatus }
  | { ok: false; reason: 'error_link'; error: string; message: string }
  | { ok: false; reason: InvalidReason | 'no_attempt'; message: string }
  | { ok: false; reason: 'exchange_failed'; message: string; apiError: ApiError };

export type CompletionListener = (result: CompletionResult) => void;

export interface AmoCompletionOptions {
  api: Pick<ForYouApi, 'exchangeCode'>;
  log?: LogFn;
}

function messageForApiError(error: ApiError): string {
  return explainCode(error.code) ?? t('err.completeFailed', { message: describeError(error) });
}

export class AmoCompletion {
  private readonly api: Pick<ForYouApi, 'exchangeCode'>;
  private readonly log: LogFn;
  private attempt: ConnectAttempt | null = null;
  /** key `${state}\n${code}` → the one promise for that hand-over. */
  private readonly inflight = new Map<string, Promise<CompletionResult>>();
  private readonly listeners = new Set<CompletionListener>();

  constructor(options: AmoCompletionOptions) {
    this.api = options.api;
    this.log = options.log ?? defaultLog;
  }

  /** Starts a new attempt; any previous unfinished attempt is forgotten. */
  beginAttempt(state: string, verifier: string, now: number = Date.now()): ConnectAttempt {
    this.attempt = { state, verifier, startedAt: now };
    return this.attempt;
  }

  get currentAttempt(): ConnectAttempt | null {
    return this.attempt;
  }

  /** True while a hand-over for the current attempt is being redeemed. */
  get isProcessing(): boolean {
    return this.processing > 0;
  }
  private processing = 0;

  subscribe(listener: CompletionListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  reset(): void {
    this.attempt = null;
    this.inflight.clear();
  }

  /** Accepts the full callback URL or the route's search params. */
  complete(input: string | CallbackParams, source: CompletionSource = 'deep-link'): Promise<CompletionResult> {
    const parsed = typeof input === 'string' ? parseCallbackUrl(input) : parseCallbackParams(input);
    this.log(LOG.deepLinkReceived, { source, kind: parsed.kind });

    if (parsed.kind === 'error') {
      if (this.attempt && parsed.state === this.attempt.state) this.attempt = null;
      return Promise.resolve(
        this.notify({ ok: false, reason: 'error_link', error: parsed.error, message: describeCallbackError(parsed.error) }),
      );
    }
    if (parsed.kind === 'invalid') {
      return Promise.resolve(this.notify({ ok: false, reason: parsed.reason, message: describeInvalidReason(parsed.reason) }));
    }

    const key = `${parsed.state}\n${parsed.code}`;
    const existing = this.inflight.get(key);
    if (existing) return existing;

    const attempt = this.attempt;
    if (!attempt) {
      return Promise.resolve(this.notify({ ok: false, reason: 'no_attempt', message: describeInvalidReason('no_attempt') }));
    }
    const checked = checkState(parsed, attempt.state);
    if (checked.kind !== 'code') {
      const reason = checked.kind === 'invalid' ? checked.reason : 'state_mismatch';
      return Promise.resolve(this.notify({ ok: false, reason, message: describeInvalidReason(reason) }));
    }

    const promise = this.redeem(checked.code, checked.state, attempt.verifier, key);
    this.inflight.set(key, promise);
    return promise;
  }

  private async redeem(code: string, state: string, verifier: string, key: string): Promise<CompletionResult> {
    this.processing++;
    try {
      this.log(LOG.exchangeCalled);
      const status = await this.api.exchangeCode({ code, state, appVerifier: verifier });
      if (this.attempt?.state === state) this.attempt = null;
      return this.notify({ ok: true, status });
    } catch (error) {
      const apiError =
        error instanceof ApiError ? error : new ApiError(0, 'UNKNOWN', error instanceof Error ? error.message : String(error));
      // A transport failure may be retried with the same one-time code; anything else is final.
      if (apiError.status === 0) this.inflight.delete(key);
      else if (this.attempt?.state === state) this.attempt = null;
      return this.notify({ ok: false, reason: 'exchange_failed', message: messageForApiError(apiError), apiError });
    } finally {
      this.processing--;
    }
  }

  private notify(result: CompletionResult): CompletionResult {
    for (const listener of Array.from(this.listeners)) {
      try {
        listener(result);
      } catch {
        /* a listener's failure must not break completion */
      }
    }
    return result;
  }
}
