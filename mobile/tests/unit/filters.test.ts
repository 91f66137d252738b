import {
  activeFilterCount,
  chooseEnum,
  customFieldPairs,
  dayEnd,
  dayStart,
  EMPTY_FILTERS,
  isValidDate,
  LEAD_SORTS,
  toggleId,
  toLeadsQuery,
  validateFilters,
  type LeadFilters,
} from '../../src/leads/filters';

const FULL: LeadFilters = {
  query: '  вілла ',
  pipelineId: 1,
  statusIds: [10, 11],
  responsibleUserIds: [7],
  tag: ' море ',
  priceFrom: '1 000',
  priceTo: '2 500',
  createdFrom: '2026-01-01',
  createdTo: '2026-12-31',
  updatedFrom: '2026-07-01',
  updatedTo: '2026-07-01',
  customFields: {},
};

describe('lead filters → query', () => {
  it('empty filters → only paging and the default sort (newest first)', () => {
    expect(toLeadsQuery(EMPTY_FILTERS, { page: 1 })).toEqual({ page: 1, limit: 25, sort: '-createdAt' });
    expect(activeFilterCount(EMPTY_FILTERS)).toBe(0);
  });

  it('maps every filter to the API query; days become the local day’s first and last instant', () => {
    // The unit tests run in Europe/Kyiv (tests/timezone.js): UTC+2 in winter, +3 in summer.
    expect(toLeadsQuery(FULL, { page: 3, limit: 50, sort: 'price' })).toEqual({
      page: 3,
      limit: 50,
      sort: 'price',
      query: 'вілла',
      pipelineId: 1,
      statusId: [10, 11],
      responsibleUserId: [7],
      tag: 'море',
      priceFrom: 1000,
      priceTo: 2500,
      createdFrom: '2025-12-31T22:00:00.000Z',
      createdTo: '2026-12-31T21:59:59.999Z',
      updatedFrom: '2026-06-30T21:00:00.000Z',
      updatedTo: '2026-07-01T20:59:59.999Z',
    });
    expect(activeFilterCount(FULL)).toBe(8);
    expect(validateFilters(FULL)).toEqual([]);
  });

  it('passes each of the API’s six sort orders through unchanged', () => {
    expect(LEAD_SORTS).toEqual(['-createdAt', 'createdAt', '-updatedAt', 'updatedAt', '-price', 'price']);
    for (const sort of LEAD_SORTS) expect(toLeadsQuery(EMPTY_FILTERS, { page: 2, sort })).toEqual({ page: 2, limit: 25, sort });
  });

  it('a range counts once; sorting is not a filter', () => {
    expect(activeFilterCount({ ...EMPTY_FILTERS, priceFrom: '1', priceTo: '2' })).toBe(1);
    expect(activeFilterCount({ ...EMPTY_FILTERS, updatedTo: '2026-01-01' })).toBe(1);
    expect(activeFilterCount({ ...EMPTY_FILTERS, tag: '   ' })).toBe(0);
  });

  it('day bounds: invalid days give nothing', () => {
    expect(dayStart('2026-02-30')).toBeUndefined();
    expect(dayEnd('')).toBeUndefined();
    expect(dayStart(' 2026-03-01 ')).toBe('2026-02-28T22:00:00.000Z');
  });
});

describe('lead filters: validation', () => {
  it('budget: whole numbers, from ≤ to', () => {
    expect(validateFilters({ ...EMPTY_FILTERS, priceFrom: 'abc' })).toEqual(['Бюджет від: лише ціле число.']);
    expect(validateFilters({ ...EMPTY_FILTERS, priceTo: '10.5' })).toEqual(['Бюджет до: лише ціле число.']);
    expect(validateFilters({ ...EMPTY_FILTERS, priceTo: '-1' })).toHaveLength(1);
    expect(validateFilters({ ...EMPTY_FILTERS, priceFrom: '10', priceTo: '5' })).toEqual(['Бюджет: «від» більше за «до».']);
  });

  it('dates: real days as YYYY-MM-DD, from ≤ to, for both ranges', () => {
    expect(validateFilters({ ...EMPTY_FILTERS, createdFrom: '2026-02-30' })).toEqual(['Створено від: дата у форматі РРРР-ММ-ДД, між 1970 і 2100 роками.']);
    expect(validateFilters({ ...EMPTY_FILTERS, updatedTo: '01.02.2026' })).toEqual(['Оновлено до: дата у форматі РРРР-ММ-ДД, між 1970 і 2100 роками.']);
    // Beyond the API's years (1970–2100): refused here, never sent.
    expect(validateFilters({ ...EMPTY_FILTERS, updatedTo: '9999-12-31' })).toHaveLength(1);
    expect(validateFilters({ ...EMPTY_FILTERS, createdFrom: '2026-03-01', createdTo: '2026-02-01' })).toEqual([
      'Дата створення: «від» більше за «до».',
    ]);
    expect(validateFilters({ ...EMPTY_FILTERS, updatedFrom: '2026-03-02', updatedTo: '2026-03-01' })).toEqual([
      'Дата оновлення: «від» більше за «до».',
    ]);
    expect(validateFilters({ ...EMPTY_FILTERS, updatedFrom: '2026-03-01', updatedTo: '2026-03-01' })).toEqual([]);
    expect(isValidDate('2026-02-28')).toBe(true);
    expect(isValidDate('28.02.2026')).toBe(false);
    // The API's bounds: 1970-01-01 … 2100-12-31.
    expect(isValidDate('1970-01-01')).toBe(true);
    expect(isValidDate('2100-12-31')).toBe(true);
    expect(isValidDate('1969-12-31')).toBe(false);
    expect(isValidDate('9999-12-31')).toBe(false);
  });

  it('invalid fields are left out of the query rather than sent', () => {
    expect(toLeadsQuery({ ...EMPTY_FILTERS, priceFrom: 'abc', createdTo: 'bad', updatedFrom: '2026-13-01' }, { page: 1 })).toEqual({
      page: 1,
      limit: 25,
      sort: '-createdAt',
    });
  });

  it('toggleId adds and removes', () => {
    expect(toggleId([1, 2], 3)).toEqual([1, 2, 3]);
    expect(toggleId([1, 2], 1)).toEqual([2]);
  });
});

describe('lead-field filters', () => {
  it('one enum per field, as repeatable fieldId:enumId in field order; each field counts once', () => {
    let chosen = chooseEnum({}, 2200300, 5000402);
    chosen = chooseEnum(chosen, 2200100, 5000101);
    expect(customFieldPairs(chosen)).toEqual(['2200100:5000101', '2200300:5000402']);
    const filters = { ...EMPTY_FILTERS, customFields: chosen };
    expect(toLeadsQuery(filters, { page: 1 }).customField).toEqual(['2200100:5000101', '2200300:5000402']);
    expect(activeFilterCount(filters)).toBe(2);
    // The same enum again, or "all", clears the field.
    expect(chooseEnum(chosen, 2200100, 5000101)).toEqual({ 2200300: 5000402 });
    expect(chooseEnum(chosen, 2200300, null)).toEqual({ 2200100: 5000101 });
    expect(toLeadsQuery(EMPTY_FILTERS, { page: 1 }).customField).toBeUndefined();
  });

  it('never more than the API takes (10)', () => {
    const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [i + 1, 100 + i]));
    expect(customFieldPairs(many)).toHaveLength(10);
  });
});
