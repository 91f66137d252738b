/**
 * «Відключити AMO CRM» asks in place before `POST /api/amo-crm/disconnect` (an `Alert` would do
 * nothing on the web build), then hands the server's new status to the screen.
 */
import { useCallback, useState } from 'react';

import type { ForYouApi } from '../api/endpoints';
import type { AmoStatus } from '../api/types';
import { useLatest, useMounted } from '../hooks';
import { describeError } from '../i18n/errors';

export interface DisconnectState {
  asking: boolean;
  busy: boolean;
  error: string | null;
  ask(): void;
  cancel(): void;
  confirm(): Promise<void>;
}

export function useDisconnect(api: Pick<ForYouApi, 'disconnect'>, onDisconnected: (status: AmoStatus) => void): DisconnectState {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mounted = useMounted();
  const disconnected = useLatest(onDisconnected);

  const confirm = useCallback(async () => {
    setBusy(true);
    setError(null);
    try {
      const status = await api.disconnect();
      if (!mounted.current) return;
      disconnected.current(status);
      setAsking(false);
    } catch (failure) {
      if (mounted.current) setError(describeError(failure));
    } finally {
      if (mounted.current) setBusy(false);
    }
  }, [api, mounted, disconnected]);

  const ask = useCallback(() => setAsking(true), []);
  const cancel = useCallback(() => {
    setAsking(false);
    setError(null);
  }, []);

  return { asking, busy, error, ask, cancel, confirm };
}
