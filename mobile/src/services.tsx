import { createContext, useContext, useMemo, type ReactNode } from 'react';

import { ApiClient, type FetchLike } from './api/client';
import { createForYouApi, type ForYouApi } from './api/endpoints';
import { AmoCompletion } from './amocrm/completion';
import type { AuthBrowser } from './amocrm/connect';
import type { PkceDeps } from './amocrm/pkce';
import { TokenHolder } from './auth/tokenHolder';
import type { TokenStore } from './auth/tokenStore';

/** Everything the screens talk to; injected so tests can replace any part. */
export interface AppServices {
  baseUrl: string;
  tokens: TokenHolder;
  tokenStore: TokenStore;
  api: ForYouApi;
  completion: AmoCompletion;
  browser: AuthBrowser;
  pkce: PkceDeps;
  /** Opens a link outside the app: a lead in amoCRM (its app if installed, else the browser),
   * a contact's `tel:` (the dialer) or `mailto:` (the mail app). */
  openExternal(url: string): Promise<void>;
}

export interface CoreServicesOptions {
  baseUrl: string;
  fetch?: FetchLike;
  tokens?: TokenHolder;
}

/** Platform-free part (API client, endpoints, completion) — also used by integration tests. */
export function createCoreServices(options: CoreServicesOptions) {
  const tokens = options.tokens ?? new TokenHolder();
  const client = new ApiClient({
    baseUrl: options.baseUrl,
    fetch: options.fetch,
    getToken: () => tokens.get(),
    onUnauthorized: (error) => tokens.raiseUnauthorized(error),
  });
  const api = createForYouApi(client);
  const completion = new AmoCompletion({ api });
  return { tokens, client, api, completion };
}

const ServicesContext = createContext<AppServices | null>(null);

export function ServicesProvider({ services, children }: { services: AppServices; children: ReactNode }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

export function useServices(): AppServices {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices() outside <ServicesProvider>');
  return services;
}

/** Memoises a services factory for the root layout. */
export function useCreatedServices(factory: () => AppServices): AppServices {
  // eslint-disable-next-line react-hooks/exhaustive-deps
  return useMemo(factory, []);
}
