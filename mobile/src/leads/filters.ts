import type { LeadsQuery } from '../api/types';

/** Filter form state (strings as typed; converted and validated by toLeadsQuery). */
export interface LeadFilters {
  query: string;
  pipelineId: number | null;
  statusIds: number[];
  responsibleUserIds: number[];
  priceFrom: string;
  priceTo: string;
  /** YYYY-MM-DD */
  createdFrom: string;
  /** YYYY-MM-DD */
  createdTo: string;
}

export const PAGE_SIZE = 25;

export const EMPTY_FILTERS: LeadFilters = {
  query: '',
  pipelineId: null,
  statusIds: [],
  responsibleUserIds: [],
  priceFrom: '',
  priceTo: '',
  createdFrom: '',
  createdTo: '',
};

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isValidDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** Whole currency units (the API takes integers ≥ 0); spaces as thousands separators are fine. */
function parsePrice(value: string): number | null | 'invalid' {
  const v = value.replace(/[\s\u00a0]+/g, '');
  if (!v) return null;
  if (!/^\d{1,15}$/.test(v)) return 'invalid';
  return Number(v);
}

/** Returns Ukrainian messages for invalid fields (empty when the filters can be sent). */
export function validateFilters(f: LeadFilters): string[] {
  const errors: string[] = [];
  const from = parsePrice(f.priceFrom);
  const to = parsePrice(f.priceTo);
  if (from === 'invalid') errors.push('Ціна «від» має бути цілим числом.');
  if (to === 'invalid') errors.push('Ціна «до» має бути цілим числом.');
  if (typeof from === 'number' && typeof to === 'number' && from > to) errors.push('Ціна «від» більша за ціну «до».');
  if (f.createdFrom && !isValidDate(f.createdFrom)) errors.push('Дата «створено від» має формат РРРР-ММ-ДД.');
  if (f.createdTo && !isValidDate(f.createdTo)) errors.push('Дата «створено до» має формат РРРР-ММ-ДД.');
  if (isValidDate(f.createdFrom) && isValidDate(f.createdTo) && f.createdFrom > f.createdTo)
    errors.push('Дата «від» пізніша за дату «до».');
  return errors;
}

export function toLeadsQuery(f: LeadFilters, page: number, limit: number = PAGE_SIZE): LeadsQuery {
  const q: LeadsQuery = { page, limit, sort: '-createdAt' };
  const text = f.query.trim();
  if (text) q.query = text;
  if (f.pipelineId !== null) q.pipelineId = f.pipelineId;
  if (f.statusIds.length) q.statusId = [...f.statusIds];
  if (f.responsibleUserIds.length) q.responsibleUserId = [...f.responsibleUserIds];
  const from = parsePrice(f.priceFrom);
  const to = parsePrice(f.priceTo);
  if (typeof from === 'number') q.priceFrom = from;
  if (typeof to === 'number') q.priceTo = to;
  if (isValidDate(f.createdFrom)) q.createdFrom = f.createdFrom;
  if (isValidDate(f.createdTo)) q.createdTo = f.createdTo;
  return q;
}

export function activeFilterCount(f: LeadFilters): number {
  let n = 0;
  if (f.query.trim()) n++;
  if (f.pipelineId !== null) n++;
  if (f.statusIds.length) n++;
  if (f.responsibleUserIds.length) n++;
  if (f.priceFrom.trim() || f.priceTo.trim()) n++;
  if (f.createdFrom.trim() || f.createdTo.trim()) n++;
  return n;
}

export function toggleId(list: number[], id: number): number[] {
  return list.includes(id) ? list.filter((x) => x !== id) : [...list, id];
}
