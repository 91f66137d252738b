/**
 * The connection status as the server reports it (the server is the truth), and the sync
 * progress in it: polled every 2 s while a sync runs — or, right after connecting, until the
 * first sync has happened (the backend may not have started it yet).
 */
import { useCallback, useEffect, useRef, useState } from 'react';

import type { ForYouApi } from '../api/endpoints';
import type { AmoStatus } from '../api/types';
import { useLatest, useMounted } from '../hooks';
import { describeError, isUnauthorized } from '../i18n/errors';
import { LOG, log } from '../log';

export const SYNC_POLL_MS = 2000;
export const MAX_SYNC_POLLS = 150; // 5 minutes

/** A sync is running, or a fresh connection has not finished its first sync yet. */
export function isSyncBusy(status: AmoStatus | null): boolean {
  if (!status?.connected) return false;
  const sync = status.sync;
  if (!sync) return true;
  if (sync.state === 'running' || sync.state === 'queued') return true;
  return sync.state === 'idle' && !sync.lastSyncedAt;
}

export interface AmoStatusState {
  /** null until the first answer. */
  status: AmoStatus | null;
  /** Why the last read failed (a 401 is not shown: the session signs out). */
  error: string | null;
  connected: boolean;
  syncBusy: boolean;
  /** Show a status the server just returned (exchange-code, disconnect). */
  apply(next: AmoStatus): void;
  reload(): Promise<void>;
  /** «Оновити з AMO CRM»: start a sync, show it as running, re-read the status. */
  startSync(): Promise<void>;
}

export function useAmoStatus(
  api: Pick<ForYouApi, 'getStatus' | 'startSync'>,
  /** Called when a sync this screen watched has finished (reload the leads). */
  onSyncFinished: () => void,
): AmoStatusState {
  const [status, setStatus] = useState<AmoStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const mounted = useMounted();
  const syncFinished = useLatest(onSyncFinished);

  const apply = useCallback(
    (next: AmoStatus) => {
      if (!mounted.current) return;
      setStatus(next);
      setError(null);
      log(LOG.statusUpdated, { connected: next.connected, domain: next.domain, accountId: next.accountId });
    },
    [mounted],
  );

  const reload = useCallback(async () => {
    try {
      apply(await api.getStatus());
    } catch (failure) {
      if (mounted.current && !isUnauthorized(failure)) setError(describeError(failure));
    }
  }, [api, apply, mounted]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const syncBusy = isSyncBusy(status);
  const wasBusy = useRef(false);
  useEffect(() => {
    if (wasBusy.current && !syncBusy) syncFinished.current();
    wasBusy.current = syncBusy;
    if (!syncBusy) return;
    let polls = 0;
    const timer = setInterval(() => {
      if (++polls > MAX_SYNC_POLLS) clearInterval(timer);
      else void reload();
    }, SYNC_POLL_MS);
    return () => clearInterval(timer);
  }, [syncBusy, reload, syncFinished]);

  const startSync = useCallback(async () => {
    try {
      const sync = await api.startSync();
      if (mounted.current) setStatus((s) => (s ? { ...s, sync } : s));
    } catch {
      /* the status read below shows a failed sync */
    }
    await reload();
  }, [api, reload, mounted]);

  return { status, error, connected: !!status?.connected, syncBusy, apply, reload, startSync };
}
