/** Shapes from docs/contract.md (camelCase JSON). */

export interface User {
  id: string | number;
  email: string;
  name: string | null;
}

export interface LoginResult {
  accessToken: string;
  tokenType: 'Bearer' | string;
  expiresIn: number;
  user: User;
}

export interface Meta {
  demo: boolean;
  demoUser: { email: string; password: string } | null;
  amoAuthorizeHost: string;
  version: string;
}

export interface AuthUrl {
  url: string;
  state: string;
  expiresAt: string;
}

export type SyncStateName = 'idle' | 'queued' | 'running' | 'failed';

export interface SyncState {
  state: SyncStateName;
  progress: number;
  lastSyncedAt: string | null;
  error?: string | null;
}

/** Why a connection ended (`GET /api/amo-crm/status` → `ended`; docs/contract.md). */
export type EndReason = 'agent_disconnected' | 'integration_removed' | 'refresh_refused' | 'admin_removed';

export interface ConnectionEnded {
  /** One of EndReason; a newer server may send others (shown with a generic sentence). */
  reason: EndReason | (string & {});
  at: string;
  domain: string;
}

export interface AmoStatus {
  connected: boolean;
  hasTokens: boolean;
  domain: string | null;
  accountId: string | null;
  accountName: string | null;
  /** The account's currency (ISO 4217), known after the first sync; a newer field, so optional. */
  currency?: string | null;
  currencySymbol?: string | null;
  platform: 'amocrm' | 'kommo' | null;
  connectedAt: string | null;
  needsReconnect: boolean | null;
  sync: SyncState | null;
  /** Null while connected; else why and when it ended, until the user connects again. */
  ended: ConnectionEnded | null;
}

export interface LeadContact {
  id: number | string;
  name: string | null;
  /** The contact's first phone. */
  phone?: string | null;
  /** amoCRM's main contact (the API lists it first). */
  isMain?: boolean;
}

export interface Lead {
  id: number;
  name: string;
  price: number | null;
  statusId: number | null;
  statusName: string | null;
  statusColor: string | null;
  pipelineId: number | null;
  pipelineName: string | null;
  responsibleUserId: number | null;
  responsibleUserName: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  closedAt: string | null;
  tags: string[];
  contacts: LeadContact[];
  /** The account's currency (ISO 4217) or null while unknown. */
  currency?: string | null;
  url: string;
}

/** A phone or e-mail with amoCRM's type code (MOB, WORK, PRIV…). */
export interface TypedValue {
  value: string;
  type: string | null;
}

export interface LeadDetailContact extends LeadContact {
  phones: TypedValue[];
  emails: TypedValue[];
  position: string | null;
}

export interface LeadCustomField {
  id: number;
  name: string;
  type: string;
  code: string | null;
  values: { value: unknown; enumId: number | null }[];
}

export interface LeadNote {
  id: number;
  type: string;
  text: string;
  createdAt: string;
  createdBy: number | null;
}

export interface LeadTask {
  id: number;
  text: string;
  completeTill: string;
  taskTypeId: number | null;
  responsibleUserId: number | null;
}

/** `GET /api/amo-crm/leads/{id}`: the lead, whole. */
export interface LeadDetail extends Omit<Lead, 'contacts'> {
  contacts: LeadDetailContact[];
  company: { id: number; name: string | null } | null;
  customFields: LeadCustomField[];
  /** Newest first, at most 20. */
  notes: LeadNote[];
  /** Open ones, soonest due first. */
  tasks: LeadTask[];
}

/** `GET /api/amo-crm/custom-fields`: the lead fields the list filters by. */
export interface FilterField {
  id: number;
  name: string;
  type: string;
  enums: { id: number; value: string }[];
}

export interface LeadsPage {
  items: Lead[];
  page: number;
  limit: number;
  total: number;
  hasMore: boolean;
  sync: SyncState | null;
}

export interface PipelineStatus {
  id: number;
  name: string;
  color: string | null;
  sort: number;
  type: number;
}

export interface Pipeline {
  id: number;
  name: string;
  sort: number;
  isMain: boolean;
  statuses: PipelineStatus[];
}

export interface PipelinesResult {
  pipelines: Pipeline[];
  users: { id: number; name: string }[];
}

export type LeadSort = '-createdAt' | 'createdAt' | 'updatedAt' | '-updatedAt' | 'price' | '-price';

export interface LeadsQuery {
  query?: string;
  pipelineId?: number;
  statusId?: number[];
  responsibleUserId?: number[];
  tag?: string;
  priceFrom?: number;
  priceTo?: number;
  createdFrom?: string;
  createdTo?: string;
  updatedFrom?: string;
  updatedTo?: string;
  /** Repeatable `<fieldId>:<enumId>`. */
  customField?: string[];
  sort?: LeadSort;
  page?: number;
  limit?: number;
}

// --- Checked against the contract (docs/openapi.json → types.gen.ts, `npm run api:types`) ---
// The shapes above are what the app reads; these aliases are what the service declares. The
// checks below fail `tsc` (and so `npm test`) when a declared shape no longer fits the app's.
import type { components, paths } from './types.gen';

type Schemas = components['schemas'];
export type ApiLead = Schemas['LeadOut'];
export type ApiLeadsPage = Schemas['LeadsPageOut'];
export type ApiLeadsEnvelope = Schemas['LeadsEnvelope'];
export type ApiSyncState = Schemas['SyncOut'];
export type ApiLoginBody = Schemas['LoginIn'];
export type ApiRegisterBody = Schemas['RegisterIn'];
export type ApiExchangeCodeBody = Schemas['ExchangeCodeIn'];
export type ApiLeadsQuery = NonNullable<paths['/api/amo-crm/leads']['get']['parameters']['query']>;

/** True when A can be used where B is expected; a compile error otherwise. */
type Fits<A extends B, B> = A extends B ? true : never;
export type ContractChecks = [
  Fits<ApiLead, Lead>,
  Fits<ApiLeadsPage, LeadsPage>,
  Fits<ApiSyncState['state'], SyncStateName>,
  Fits<NonNullable<ApiLeadsQuery['sort']>, LeadSort>,
  Fits<LeadSort, NonNullable<ApiLeadsQuery['sort']>>,
  Fits<keyof LeadsQuery, keyof ApiLeadsQuery>,
];
