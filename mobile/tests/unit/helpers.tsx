import { createHash, randomBytes } from 'crypto';
import type { ReactNode } from 'react';

import type { ForYouApi } from '../../src/api/endpoints';
import type { AmoStatus, FilterField, Lead, LeadDetail, LeadsPage, PipelinesResult } from '../../src/api/types';
import { AmoCompletion } from '../../src/amocrm/completion';
import type { AuthBrowser } from '../../src/amocrm/connect';
import type { PkceDeps } from '../../src/amocrm/pkce';
import { SessionProvider } from '../../src/auth/session';
import { TokenHolder } from '../../src/auth/tokenHolder';
import { createMemoryTokenStore } from '../../src/auth/tokenStore';
import { ServicesProvider, type AppServices } from '../../src/services';

export const nodePkce: PkceDeps = {
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
  sha256: async (data) => new Uint8Array(createHash('sha256').update(data).digest()),
};

export const NOT_CONNECTED: AmoStatus = {
  connected: false,
  hasTokens: false,
  domain: null,
  accountId: null,
  accountName: null,
  platform: null,
  connectedAt: null,
  needsReconnect: null,
  sync: null,
  ended: null,
};

export const CONNECTED: AmoStatus = {
  connected: true,
  hasTokens: true,
  domain: 'reforyou.amocrm.ru',
  accountId: '31920194',
  accountName: 'ReForYou',
  platform: 'amocrm',
  connectedAt: '2026-11-27T02:00:00Z',
  needsReconnect: false,
  sync: { state: 'idle', progress: 1, lastSyncedAt: '2026-11-27T02:01:00Z' },
  ended: null,
};

export function makeLead(id: number, patch: Partial<Lead> = {}): Lead {
  return {
    id,
    name: `Угода ${id}`,
    price: 1000 * id,
    statusId: 10,
    statusName: 'Перший контакт',
    statusColor: '#99ccff',
    pipelineId: 1,
    pipelineName: 'Продажі',
    responsibleUserId: 7,
    responsibleUserName: 'Олена',
    createdAt: '2026-11-01T10:00:00Z',
    updatedAt: '2026-11-02T10:00:00Z',
    closedAt: null,
    tags: [],
    contacts: [],
    url: `https://reforyou.amocrm.ru/leads/detail/${id}`,
    ...patch,
  };
}

export function page(items: Lead[], patch: Partial<LeadsPage> = {}): LeadsPage {
  return { items, page: 1, limit: 25, total: items.length, hasMore: false, sync: null, ...patch };
}

export const PIPELINES: PipelinesResult = {
  pipelines: [
    {
      id: 1,
      name: 'Продажі',
      sort: 1,
      isMain: true,
      statuses: [
        { id: 10, name: 'Перший контакт', color: '#99ccff', sort: 10, type: 0 },
        { id: 11, name: 'Переговори', color: '#ffcc66', sort: 20, type: 0 },
      ],
    },
    { id: 2, name: 'Оренда', sort: 2, isMain: false, statuses: [{ id: 20, name: 'Новий', color: null, sort: 10, type: 0 }] },
  ],
  users: [
    { id: 7, name: 'Олена' },
    { id: 8, name: 'Андрій' },
  ],
};

export const FIELDS: FilterField[] = [
  {
    id: 2200300,
    name: 'Район',
    type: 'select',
    enums: [
      { id: 5000401, value: 'Печерський' },
      { id: 5000402, value: 'Подільський' },
    ],
  },
];

export function makeLeadDetail(id: number, patch: Partial<LeadDetail> = {}): LeadDetail {
  return {
    ...makeLead(id, { currency: 'USD' }),
    contacts: [
      {
        id: 44,
        name: 'Богдан Петренко',
        phone: '+380668687722',
        isMain: true,
        phones: [
          { value: '+380668687722', type: 'MOB' },
          { value: '+38 (044) 123-45-67', type: 'WORK' },
        ],
        emails: [{ value: 'bohdan.petrenko@meta.ua', type: 'PRIV' }],
        position: 'Інвестор',
      },
    ],
    company: { id: 54, name: 'ТОВ «Київбуд»' },
    customFields: [
      { id: 2200300, name: 'Район', type: 'select', code: null, values: [{ value: 'Подільський', enumId: 5000402 }] },
      { id: 2200310, name: 'Іпотека', type: 'checkbox', code: null, values: [{ value: true, enumId: null }] },
    ],
    notes: [{ id: 84, type: 'common', text: 'Клієнт просить знижку 5%', createdAt: '2026-11-20T10:00:00Z', createdBy: 7 }],
    tasks: [
      { id: 114, text: 'Узгодити час показу', completeTill: '2020-01-01T10:00:00Z', taskTypeId: 1, responsibleUserId: 7 },
      { id: 115, text: 'Нагадати про документи', completeTill: '2099-01-01T10:00:00Z', taskTypeId: 1, responsibleUserId: 7 },
    ],
    ...patch,
  };
}

export type FakeApi = { [K in keyof ForYouApi]: jest.Mock };

export function makeFakeApi(overrides: Partial<FakeApi> = {}): FakeApi {
  return {
    login: jest.fn(async () => ({
      accessToken: 'jwt-1',
      tokenType: 'Bearer',
      expiresIn: 3600,
      user: { id: 1, email: 'demo@foryou-realestate.com', name: 'Demo' },
    })),
    me: jest.fn(async () => ({ id: 1, email: 'demo@foryou-realestate.com', name: 'Demo' })),
    meta: jest.fn(async () => ({ demo: false, demoUser: null, amoAuthorizeHost: 'x', version: '1' })),
    getAuthUrl: jest.fn(async () => ({
      url: 'http://127.0.0.1:8000/sandbox/oauth?client_id=c&state=st-1&mode=post_message',
      state: 'st-1',
      expiresAt: '2026-11-27T03:00:00Z',
    })),
    exchangeCode: jest.fn(async () => CONNECTED),
    getStatus: jest.fn(async () => NOT_CONNECTED),
    disconnect: jest.fn(async () => NOT_CONNECTED),
    listLeads: jest.fn(async () => page([])),
    getPipelines: jest.fn(async () => PIPELINES),
    getLead: jest.fn(async (id: number) => makeLeadDetail(id)),
    getCustomFields: jest.fn(async () => ({ fields: FIELDS })),
    startSync: jest.fn(async () => ({ state: 'running', progress: 0, lastSyncedAt: null })),
    ...overrides,
  };
}

export interface TestServices extends AppServices {
  api: ForYouApi & FakeApi;
  browser: AuthBrowser & { openAuthSessionAsync: jest.Mock };
  openExternal: jest.Mock;
}

export function makeServices(
  opts: { api?: FakeApi; token?: string | null; browser?: AuthBrowser } = {},
): TestServices {
  const api = opts.api ?? makeFakeApi();
  return {
    baseUrl: 'http://127.0.0.1:8000',
    tokens: new TokenHolder(),
    tokenStore: createMemoryTokenStore(opts.token === undefined ? 'jwt-1' : opts.token),
    api: api as ForYouApi & FakeApi,
    completion: new AmoCompletion({ api: api as unknown as ForYouApi }),
    browser: (opts.browser ?? { openAuthSessionAsync: jest.fn(async () => ({ type: 'cancel' })) }) as TestServices['browser'],
    pkce: nodePkce,
    openExternal: jest.fn(async () => undefined),
  };
}

export function Providers({ services, children }: { services: AppServices; children: ReactNode }) {
  return (
    <ServicesProvider services={services}>
      <SessionProvider>{children}</SessionProvider>
    </ServicesProvider>
  );
}
