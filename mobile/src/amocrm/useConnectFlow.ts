/**
 * The connect button's flow on screen: idle → browser (the auth session is open) → processing
 * (a callback link came back; exchange-code runs) → idle again, or failed with a message and
 * «Спробувати ще раз».
 *
 * Every completion lands in the subscription below — the auth session's `success` here, or the
 * amo-crm/callback route's deep link (Android may report `dismiss` and deliver the link there).
 */
import { useCallback, useEffect, useState } from 'react';
import { Platform } from 'react-native';

import type { AmoStatus } from '../api/types';
import { useLatest, useMounted } from '../hooks';
import { t } from '../i18n';
import { describeError, isUnauthorized } from '../i18n/errors';
import type { AppServices } from '../services';
import type { CompletionResult } from './completion';
import { connectAmoCrm, webReturnTo } from './connect';

export type ConnectPhase =
  | { kind: 'idle' }
  | { kind: 'browser' }
  | { kind: 'processing' }
  | { kind: 'failed'; message: string };

export interface ConnectFlowDeps {
  services: Pick<AppServices, 'api' | 'completion' | 'browser' | 'pkce'>;
  /** Show the status exchange-code returned. */
  applyStatus(status: AmoStatus): void;
  /** Re-read the status from the server (after a completion, or a closed browser). */
  reloadStatus(): Promise<void>;
  /** A connection was completed (reload leads and pipelines). */
  onConnected(): void;
}

export function useConnectFlow({ services, applyStatus, reloadStatus, onConnected }: ConnectFlowDeps) {
  const { api, completion, browser, pkce } = services;
  const [phase, setPhase] = useState<ConnectPhase>({ kind: 'idle' });
  const mounted = useMounted();
  const connected = useLatest(onConnected);

  useEffect(
    () =>
      completion.subscribe((result: CompletionResult) => {
        if (!mounted.current) return;
        if (result.ok) {
          applyStatus(result.status);
          setPhase({ kind: 'idle' });
          connected.current();
          void reloadStatus();
        } else {
          setPhase({ kind: 'failed', message: result.message });
        }
      }),
    [completion, applyStatus, reloadStatus, mounted, connected],
  );

  const start = useCallback(async () => {
    setPhase({ kind: 'browser' });
    try {
      const outcome = await connectAmoCrm({
        api,
        completion,
        browser,
        pkce,
        web: Platform.OS === 'web' ? { returnTo: webReturnTo() ?? '' } : undefined,
        onHandOver: () => mounted.current && setPhase({ kind: 'processing' }),
      });
      if (!mounted.current || outcome.kind !== 'closed') return;
      // Android may report `dismiss` although the link reached the amo-crm/callback route;
      // that route completes through the same function and the subscription updates us.
      if (completion.isProcessing) return;
      setPhase((p) => (p.kind === 'browser' ? { kind: 'failed', message: t('crm.connectClosed') } : p));
      void reloadStatus();
    } catch (error) {
      if (mounted.current && !isUnauthorized(error)) {
        setPhase({ kind: 'failed', message: t('crm.connectFailed', { problem: describeError(error) }) });
      }
    }
  }, [api, completion, browser, pkce, reloadStatus, mounted]);

  return { phase, start };
}
