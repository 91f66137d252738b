import { act, renderHook, waitFor } from '@testing-library/react-native';

import { ApiError } from '../../src/api/client';
import type { LeadSort, LeadsPage } from '../../src/api/types';
import { EMPTY_FILTERS, type LeadFilters } from '../../src/leads/filters';
import { useLeads } from '../../src/leads/useLeads';
import { usePipelines } from '../../src/leads/usePipelines';
import { makeFakeApi, makeLead, page, PIPELINES } from './helpers';

beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

type Props = { filters: LeadFilters; sort: LeadSort; enabled: boolean; reloadKey: number };
const START: Props = { filters: EMPTY_FILTERS, sort: '-createdAt', enabled: true, reloadKey: 0 };

describe('useLeads', () => {
  it('disabled (not connected) → nothing requested, an empty idle list', async () => {
    const api = makeFakeApi();
    const { result } = renderHook(() => useLeads(api, { ...START, enabled: false }));
    await act(async () => undefined);
    expect(api.listLeads).not.toHaveBeenCalled();
    expect(result.current).toMatchObject({ phase: 'idle', items: [], total: 0 });
  });

  it('a new sort reloads page 1 with it; a slower answer for the old sort is dropped', async () => {
    const answers: ((p: LeadsPage) => void)[] = [];
    const api = makeFakeApi({ listLeads: jest.fn(() => new Promise<LeadsPage>((r) => answers.push(r))) });
    const { result, rerender } = renderHook((props: Props) => useLeads(api, props), { initialProps: START });
    expect(api.listLeads).toHaveBeenLastCalledWith({ page: 1, limit: 25, sort: '-createdAt' });

    rerender({ ...START, sort: 'price' });
    expect(api.listLeads).toHaveBeenLastCalledWith({ page: 1, limit: 25, sort: 'price' });
    await act(async () => answers[1](page([makeLead(1, { price: 10 }), makeLead(2, { price: 20 })], { total: 3, hasMore: true })));
    await act(async () => answers[0](page([makeLead(9)])));
    expect(result.current.items.map((l) => l.id)).toEqual([1, 2]);

    act(() => result.current.loadMore());
    expect(api.listLeads).toHaveBeenLastCalledWith({ page: 2, limit: 25, sort: 'price' });
    await act(async () => answers[2](page([makeLead(2), makeLead(3, { price: 30 })], { page: 2, total: 3 })));
    expect(result.current.items.map((l) => l.id)).toEqual([1, 2, 3]);
    expect(result.current.hasMore).toBe(false);
  });

  it('reloadKey bumps and filter changes reload page 1; a failed page keeps the rows it has', async () => {
    const listLeads = jest
      .fn()
      .mockResolvedValueOnce(page([makeLead(1)], { hasMore: true, total: 2 }))
      .mockRejectedValueOnce(new ApiError(502, 'AMOCRM_UNAVAILABLE', 'down'))
      .mockResolvedValue(page([makeLead(5)]));
    const api = makeFakeApi({ listLeads });
    const { result, rerender } = renderHook((props: Props) => useLeads(api, props), { initialProps: START });
    await waitFor(() => expect(result.current.phase).toBe('ready'));
    await act(async () => result.current.loadMore());
    expect(result.current).toMatchObject({ phase: 'ready', items: [expect.objectContaining({ id: 1 })] });
    expect(result.current.error?.code).toBe('AMOCRM_UNAVAILABLE');

    rerender({ ...START, reloadKey: 1 });
    await waitFor(() => expect(result.current.items.map((l) => l.id)).toEqual([5]));
    expect(listLeads).toHaveBeenLastCalledWith({ page: 1, limit: 25, sort: '-createdAt' });

    rerender({ ...START, reloadKey: 1, filters: { ...EMPTY_FILTERS, tag: 'море' } });
    await waitFor(() => expect(listLeads).toHaveBeenLastCalledWith({ page: 1, limit: 25, sort: '-createdAt', tag: 'море' }));
  });
});

describe('usePipelines', () => {
  it('read only while connected, again on each reload; cleared on disconnect', async () => {
    const api = makeFakeApi();
    const { result, rerender } = renderHook((p: { connected: boolean; key: number }) => usePipelines(api, p.connected, p.key), {
      initialProps: { connected: false, key: 0 },
    });
    await act(async () => undefined);
    expect(api.getPipelines).not.toHaveBeenCalled();
    expect(result.current).toBeNull();

    rerender({ connected: true, key: 0 });
    await waitFor(() => expect(result.current).toEqual(PIPELINES));
    rerender({ connected: true, key: 1 });
    await waitFor(() => expect(api.getPipelines).toHaveBeenCalledTimes(2));
    rerender({ connected: false, key: 1 });
    expect(result.current).toBeNull();
  });

  it('a failure leaves the choices empty', async () => {
    const api = makeFakeApi({ getPipelines: jest.fn().mockRejectedValue(new ApiError(409, 'AMO_NOT_CONNECTED', 'no')) });
    const { result } = renderHook(() => usePipelines(api, true));
    await act(async () => undefined);
    expect(api.getPipelines).toHaveBeenCalledTimes(1);
    expect(result.current).toBeNull();
  });
});
