import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

import { ApiError } from '../api/client';
import type { User } from '../api/types';
import { t } from '../i18n';
import { describeError } from '../i18n/errors';
import { useServices } from '../services';

export type SessionStatus = 'loading' | 'signedOut' | 'signedIn';

export interface SessionValue {
  status: SessionStatus;
  user: User | null;
  /** Shown on the sign-in screen (e.g. after a 401). */
  notice: string | null;
  signIn(email: string, password: string): Promise<void>;
  signOut(notice?: string | null): Promise<void>;
  clearNotice(): void;
}

export const SESSION_EXPIRED_NOTICE = t('login.sessionExpired');

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const { api, tokens, tokenStore, completion } = useServices();
  const [status, setStatus] = useState<SessionStatus>('loading');
  const [user, setUser] = useState<User | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback(
    async (message: string | null = null) => {
      tokens.set(null);
      completion.reset();
      setUser(null);
      setNotice(message);
      setStatus('signedOut');
      await tokenStore.clear().catch(() => undefined);
    },
    [tokens, tokenStore, completion],
  );

  // 401 on an authenticated request → back to sign-in with a message. The token is cleared
  // before this runs, and the sign-in screen only makes anonymous calls, so it cannot loop.
  useEffect(() => tokens.onUnauthorized(() => void signOut(SESSION_EXPIRED_NOTICE)), [tokens, signOut]);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const stored = await tokenStore.get().catch(() => null);
      if (cancelled) return;
      if (!stored) {
        setStatus('signedOut');
        return;
      }
      tokens.set(stored);
      setStatus('signedIn');
      try {
        const me = await api.me();
        if (!cancelled) setUser(me);
      } catch {
        /* 401 is handled by onUnauthorized; a network error keeps the session */
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [api, tokens, tokenStore]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      const result = await api.login(email, password);
      tokens.set(result.accessToken);
      await tokenStore.set(result.accessToken).catch(() => undefined);
      setUser(result.user);
      setNotice(null);
      setStatus('signedIn');
    },
    [api, tokens, tokenStore],
  );

  const value = useMemo<SessionValue>(
    () => ({ status, user, notice, signIn, signOut, clearNotice: () => setNotice(null) }),
    [status, user, notice, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession() outside <SessionProvider>');
  return value;
}

export function describeSignInError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'TOO_MANY_ATTEMPTS') return t('login.tooManyAttempts');
    if (error.code === 'VALIDATION_ERROR') return t('login.checkFields');
  }
  return describeError(error);
}
