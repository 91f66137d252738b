import { activeFilterCount, EMPTY_FILTERS, isValidDate, toggleId, toLeadsQuery, validateFilters } from '../../src/leads/filters';

describe('lead filters', () => {
  it('empty filters → only paging and default sort', () => {
    expect(toLeadsQuery(EMPTY_FILTERS, 1)).toEqual({ page: 1, limit: 25, sort: '-createdAt' });
    expect(activeFilterCount(EMPTY_FILTERS)).toBe(0);
  });

  it('maps every filter to the contract query', () => {
    const f = {
      query: '  вілла ',
      pipelineId: 1,
      statusIds: [10, 11],
      responsibleUserIds: [7],
      priceFrom: '1 000',
      priceTo: '2 500',
      createdFrom: '2026-01-01',
      createdTo: '2026-12-31',
    };
    expect(toLeadsQuery(f, 3, 50)).toEqual({
      page: 3,
      limit: 50,
      sort: '-createdAt',
      query: 'вілла',
      pipelineId: 1,
      statusId: [10, 11],
      responsibleUserId: [7],
      priceFrom: 1000,
      priceTo: 2500,
      createdFrom: '2026-01-01',
      createdTo: '2026-12-31',
    });
    expect(activeFilterCount(f)).toBe(6);
    expect(validateFilters(f)).toEqual([]);
  });

  it('validates prices and dates', () => {
    expect(validateFilters({ ...EMPTY_FILTERS, priceFrom: 'abc' })).toHaveLength(1);
    expect(validateFilters({ ...EMPTY_FILTERS, priceTo: '10.5' })).toHaveLength(1);
    expect(validateFilters({ ...EMPTY_FILTERS, priceTo: '-1' })).toHaveLength(1);
    expect(validateFilters({ ...EMPTY_FILTERS, priceFrom: '10', priceTo: '5' })).toHaveLength(1);
    expect(validateFilters({ ...EMPTY_FILTERS, createdFrom: '2026-02-30' })).toHaveLength(1);
    expect(validateFilters({ ...EMPTY_FILTERS, createdFrom: '2026-03-01', createdTo: '2026-02-01' })).toHaveLength(1);
    expect(isValidDate('2026-02-28')).toBe(true);
    expect(isValidDate('28.02.2026')).toBe(false);
    expect(toLeadsQuery({ ...EMPTY_FILTERS, priceFrom: 'abc', createdTo: 'bad' }, 1)).toEqual({ page: 1, limit: 25, sort: '-createdAt' });
  });

  it('toggleId adds and removes', () => {
    expect(toggleId([1, 2], 3)).toEqual([1, 2, 3]);
    expect(toggleId([1, 2], 1)).toEqual([2]);
  });
});
