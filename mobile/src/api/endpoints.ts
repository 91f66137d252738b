import type { ApiClient, Query } from './client';
import type {
  AmoStatus,
  AuthUrl,
  FilterField,
  LeadDetail,
  LeadsPage,
  LeadsQuery,
  LoginResult,
  Meta,
  PipelinesResult,
  SyncState,
  User,
} from './types';

/** Typed wrappers over the backend endpoints the app uses (docs/contract.md). */
export interface ForYouApi {
  login(email: string, password: string): Promise<LoginResult>;
  me(): Promise<User>;
  meta(): Promise<Meta>;
  getAuthUrl(appChallenge: string, client?: 'mobile' | 'web', returnTo?: string): Promise<AuthUrl>;
  exchangeCode(input: { code: string; state: string; appVerifier?: string }): Promise<AmoStatus>;
  getStatus(): Promise<AmoStatus>;
  disconnect(): Promise<AmoStatus>;
  listLeads(query: LeadsQuery): Promise<LeadsPage>;
  getPipelines(): Promise<PipelinesResult>;
  getLead(id: number): Promise<LeadDetail>;
  getCustomFields(): Promise<{ fields: FilterField[] }>;
  startSync(): Promise<SyncState>;
}

export function createForYouApi(client: ApiClient): ForYouApi {
  return {
    login: (email, password) =>
      client.post<LoginResult>('/api/auth/login', { email, password }, { anonymous: true }),
    me: () => client.get<User>('/api/auth/me'),
    meta: () => client.get<Meta>('/api/meta', { anonymous: true }),
    getAuthUrl: (appChallenge, clientKind = 'mobile', returnTo) =>
      client.get<AuthUrl>('/api/amo-crm/auth-url', {
        query: { client: clientKind, appChallenge, returnTo },
      }),
    exchangeCode: (input) => client.post<AmoStatus>('/api/amo-crm/exchange-code', input),
    getStatus: () => client.get<AmoStatus>('/api/amo-crm/status'),
    disconnect: () => client.post<AmoStatus>('/api/amo-crm/disconnect'),
    listLeads: (query) => client.get<LeadsPage>('/api/amo-crm/leads', { query: query as Query }),
    getPipelines: () => client.get<PipelinesResult>('/api/amo-crm/pipelines'),
    getLead: (id) => client.get<LeadDetail>(`/api/amo-crm/leads/${encodeURIComponent(String(id))}`),
    getCustomFields: () => client.get<{ fields: FilterField[] }>('/api/amo-crm/custom-fields'),
    startSync: () => client.post<SyncState>('/api/amo-crm/sync'),
  };
}
