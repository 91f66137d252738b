/**
 * The filter form's state and its mapping to `GET /api/amo-crm/leads` (docs/contract.md), with
 * the same meaning as the web screen's filters (src/foryou_crm/web/static/js/views/leads.js).
 */
import type { LeadSort, LeadsQuery } from '../api/types';
import { t, type MessageKey } from '../i18n';

/** Filter form state (strings as typed; converted and validated by toLeadsQuery). */
export interface LeadFilters {
  query: string;
  pipelineId: number | null;
  statusIds: number[];
  responsibleUserIds: number[];
  tag: string;
  priceFrom: string;
  priceTo: string;
  /** YYYY-MM-DD, a calendar day in the device's time zone (also the other three dates). */
  createdFrom: string;
  createdTo: string;
  updatedFrom: string;
  updatedTo: string;
  /** Lead fields (`GET /api/amo-crm/custom-fields`): field id → the chosen enum id. */
  customFields: Record<number, number>;
}

export const PAGE_SIZE = 25;
/** The API takes at most this many `customField` values. */
export const MAX_CUSTOM_FIELDS = 10;

export const EMPTY_FILTERS: LeadFilters = {
  query: '',
  pipelineId: null,
  statusIds: [],
  responsibleUserIds: [],
  tag: '',
  priceFrom: '',
  priceTo: '',
  createdFrom: '',
  createdTo: '',
  updatedFrom: '',
  updatedTo: '',
  customFields: {},
};

export const DEFAULT_SORT: LeadSort = '-createdAt';

/** The API's sort values, in the web screen's order. */
export const LEAD_SORTS: readonly LeadSort[] = ['-createdAt', 'createdAt', '-updatedAt', 'updatedAt', '-price', 'price'];

type DateField = 'createdFrom' | 'createdTo' | 'updatedFrom' | 'updatedTo';

/** The two date ranges: form fields, the labels that name them in messages. */
export const DATE_RANGES: readonly { label: MessageKey; from: DateField; to: DateField }[] = [
  { label: 'leads.created', from: 'createdFrom', to: 'createdTo' },
  { label: 'leads.updated', from: 'updatedFrom', to: 'updatedTo' },
];

export const DATE_LABELS: Record<DateField, MessageKey> = {
  createdFrom: 'leads.createdFrom',
  createdTo: 'leads.createdTo',
  updatedFrom: 'leads.updatedFrom',
  updatedTo: 'leads.updatedTo',
};

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** The years the API accepts (its dates lie in 1970-01-01 … 2100-12-31). */
export const MIN_YEAR = 1970;
export const MAX_YEAR = 2100;

function parseDay(value: string): { y: number; m: number; d: number } | null {
  const match = DATE_RE.exec(value.trim());
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (y < MIN_YEAR || y > MAX_YEAR) return null;
  const utc = new Date(Date.UTC(y, m - 1, d));
  return utc.getUTCFullYear() === y && utc.getUTCMonth() === m - 1 && utc.getUTCDate() === d ? { y, m, d } : null;
}

export function isValidDate(value: string): boolean {
  return parseDay(value) !== null;
}

/**
 * A typed day covers that whole local day, as on the web screen: the API takes instants, so the
 * bounds are the day's first and last millisecond in the device's time zone ("created to 5 May"
 * includes a lead created on 5 May at 23:30 Kyiv time).
 */
export function dayStart(value: string): string | undefined {
  const day = parseDay(value);
  return day ? new Date(day.y, day.m - 1, day.d, 0, 0, 0, 0).toISOString() : undefined;
}

export function dayEnd(value: string): string | undefined {
  const day = parseDay(value);
  return day ? new Date(day.y, day.m - 1, day.d, 23, 59, 59, 999).toISOString() : undefined;
}

/** Whole currency units (the API takes integers ≥ 0); spaces as thousands separators are fine. */
function parsePrice(value: string): number | null | 'invalid' {
  const v = value.replace(/[\s\u00a0]+/g, '');
  if (!v) return null;
  if (!/^\d{1,15}$/.test(v)) return 'invalid';
  return Number(v);
}

/** Messages for invalid fields, in the app's language (empty when the filters can be sent). */
export function validateFilters(f: LeadFilters): string[] {
  const errors: string[] = [];
  const from = parsePrice(f.priceFrom);
  const to = parsePrice(f.priceTo);
  if (from === 'invalid') errors.push(t('filters.wholeNumber', { field: t('leads.priceFrom') }));
  if (to === 'invalid') errors.push(t('filters.wholeNumber', { field: t('leads.priceTo') }));
  if (typeof from === 'number' && typeof to === 'number' && from > to) errors.push(t('filters.reversed', { field: t('leads.price') }));
  for (const range of DATE_RANGES) {
    for (const field of [range.from, range.to]) {
      if (f[field].trim() && !isValidDate(f[field])) errors.push(t('filters.dateFormat', { field: t(DATE_LABELS[field]) }));
    }
    const start = dayStart(f[range.from]);
    const end = dayEnd(f[range.to]);
    if (start && end && start > end) errors.push(t('filters.reversed', { field: t(range.label) }));
  }
  return errors;
}

export interface PageRequest {
  page: number;
  sort?: LeadSort;
  limit?: number;
}

/** The API query for one page; fields that are empty or invalid are left out. */
export function toLeadsQuery(f: LeadFilters, { page, sort = DEFAULT_SORT, limit = PAGE_SIZE }: PageRequest): LeadsQuery {
  const q: LeadsQuery = { page, limit, sort };
  const text = f.query.trim();
  if (text) q.query = text;
  if (f.pipelineId !== null) q.pipelineId = f.pipelineId;
  if (f.statusIds.length) q.statusId = [...f.statusIds];
  if (f.responsibleUserIds.length) q.responsibleUserId = [...f.responsibleUserIds];
  const tag = f.tag.trim();
  if (tag) q.tag = tag;
  const from = parsePrice(f.priceFrom);
  const to = parsePrice(f.priceTo);
  if (typeof from === 'number') q.priceFrom = from;
  if (typeof to === 'number') q.priceTo = to;
  const bounds: Partial<Record<DateField, string>> = {
    createdFrom: dayStart(f.createdFrom),
    createdTo: dayEnd(f.createdTo),
    updatedFrom: dayStart(f.updatedFrom),
    updatedTo: dayEnd(f.updatedTo),
  };
  for (const [key, value] of Object.entries(bounds) as [DateField, string | undefined][]) {
    if (value) q[key] = value;
  }
  const pairs = customFieldPairs(f.customFields);
  if (pairs.length) q.customField = pairs;
  return q;
}

/** How many filter groups narrow the list (a range counts once); sorting is not a filter. */
export function activeFilterCount(f: LeadFilters): number {
  const groups = [
    f.query.trim(),
    f.pipelineId !== null,
    f.statusIds.length,
    f.responsibleUserIds.length,
    f.tag.trim(),
    f.priceFrom.trim() || f.priceTo.trim(),
    f.createdFrom.trim() || f.createdTo.trim(),
    f.updatedFrom.trim() || f.updatedTo.trim(),
  ];
  return groups.filter(Boolean).length + customFieldPairs(f.customFields).length;
}

/** `customField` values for the API: `<fieldId>:<enumId>`, one per field, in field order. */
export function customFieldPairs(chosen: Record<number, number>): string[] {
  return Object.entries(chosen)
    .filter(([field, value]) => Number(field) > 0 && Number(value) > 0)
    .sort(([a], [b]) => Number(a) - Number(b))
    .slice(0, MAX_CUSTOM_FIELDS)
    .map(([field, value]) => `${field}:${value}`);
}

/** Choose `enumId` for `fieldId`, or clear the field (null, or the one already chosen). */
export function chooseEnum(chosen: Record<number, number>, fieldId: number, enumId: number | null): Record<number, number> {
  const next = { ...chosen };
  if (enumId === null || next[fieldId] === enumId) delete next[fieldId];
  else next[fieldId] = enumId;
  return next;
}

export function toggleId(list: number[], id: number): number[] {
  return list.includes(id) ? list.filter((x) => x !== id) : [...list, id];
}
