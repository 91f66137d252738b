import { act, renderHook, waitFor } from '@testing-library/react-native';

import { ApiError } from '../../src/api/client';
import type { AmoStatus } from '../../src/api/types';
import { isSyncBusy, MAX_SYNC_POLLS, SYNC_POLL_MS, useAmoStatus } from '../../src/amocrm/useAmoStatus';
import { CONNECTED, makeFakeApi, NOT_CONNECTED } from './helpers';

const RUNNING: AmoStatus = { ...CONNECTED, sync: { state: 'running', progress: 0.3, lastSyncedAt: null } };

beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

/** Lets resolved promises (the fake API's answers) land, without moving the clock. */
async function flush() {
  await act(async () => undefined);
}

async function tick(ms: number) {
  await act(async () => {
    jest.advanceTimersByTime(ms);
  });
}

describe('isSyncBusy', () => {
  it.each<{ name: string; status: AmoStatus; busy: boolean }>([
    { name: 'not connected', status: NOT_CONNECTED, busy: false },
    { name: 'connected, synced', status: CONNECTED, busy: false },
    { name: 'running', status: RUNNING, busy: true },
    { name: 'queued again, synced before', status: { ...CONNECTED, sync: { state: 'queued', progress: 0, lastSyncedAt: '2026-01-01T00:00:00Z' } }, busy: true },
    { name: 'connected, no sync state yet', status: { ...CONNECTED, sync: null }, busy: true },
    { name: 'idle, never synced (first sync not started)', status: { ...CONNECTED, sync: { state: 'idle', progress: 0, lastSyncedAt: null } }, busy: true },
    { name: 'failed', status: { ...CONNECTED, sync: { state: 'failed', progress: 0, lastSyncedAt: null, error: 'x' } }, busy: false },
  ])('$name → busy: $busy', ({ status, busy }) => {
    expect(isSyncBusy(status)).toBe(busy);
  });
  it('null (not loaded yet) → false', () => expect(isSyncBusy(null)).toBe(false));
});

describe('useAmoStatus', () => {
  it('reads the status once on mount and logs it', async () => {
    const api = makeFakeApi({ getStatus: jest.fn(async () => CONNECTED) });
    const { result } = renderHook(() => useAmoStatus(api, jest.fn()));
    expect(result.current.status).toBeNull();
    await waitFor(() => expect(result.current.connected).toBe(true));
    expect(result.current.status).toEqual(CONNECTED);
    expect(result.current.syncBusy).toBe(false);
    expect(api.getStatus).toHaveBeenCalledTimes(1);
    expect(console.log).toHaveBeenCalledWith('[foryoure] status updated', {
      connected: true,
      domain: 'reforyou.amocrm.ru',
      accountId: '31920194',
    });
  });

  it('a failed read → a message; reload clears it', async () => {
    const getStatus = jest
      .fn()
      .mockRejectedValueOnce(new ApiError(500, 'SERVER_ERROR', 'boom'))
      .mockRejectedValueOnce(new ApiError(0, 'NETWORK_ERROR', 'Network error: refused'))
      .mockResolvedValue(NOT_CONNECTED);
    const api = makeFakeApi({ getStatus });
    const { result } = renderHook(() => useAmoStatus(api, jest.fn()));
    await waitFor(() => expect(result.current.error).toBe('Щось пішло не так (SERVER_ERROR). Спробуйте ще раз.'));
    await act(() => result.current.reload());
    expect(result.current.error).toBe("Немає з'єднання з сервером. Перевірте мережу і спробуйте ще раз.");
    await act(() => result.current.reload());
    expect(result.current.error).toBeNull();
    expect(result.current.status).toEqual(NOT_CONNECTED);
  });

  it('a 401 shows nothing (the session signs out instead)', async () => {
    const getStatus = jest.fn().mockRejectedValue(new ApiError(401, 'UNAUTHORIZED', 'expired'));
    const api = makeFakeApi({ getStatus });
    const { result } = renderHook(() => useAmoStatus(api, jest.fn()));
    await flush();
    expect(getStatus).toHaveBeenCalledTimes(1);
    expect(result.current.error).toBeNull();
    expect(result.current.status).toBeNull();
  });

  it('while a sync runs: polls every 2 s, reports the finish once, then stops polling', async () => {
    jest.useFakeTimers();
    const getStatus = jest.fn().mockResolvedValueOnce(RUNNING).mockResolvedValueOnce(RUNNING).mockResolvedValue(CONNECTED);
    const finished = jest.fn();
    const api = makeFakeApi({ getStatus });
    const { result } = renderHook(() => useAmoStatus(api, finished));
    await flush();
    expect(result.current.syncBusy).toBe(true);
    await tick(SYNC_POLL_MS);
    expect(getStatus).toHaveBeenCalledTimes(2);
    expect(finished).not.toHaveBeenCalled();
    await tick(SYNC_POLL_MS);
    expect(getStatus).toHaveBeenCalledTimes(3);
    expect(result.current.syncBusy).toBe(false);
    expect(finished).toHaveBeenCalledTimes(1);
    await tick(SYNC_POLL_MS * 5);
    expect(getStatus).toHaveBeenCalledTimes(3);
  });

  it('gives up polling after MAX_SYNC_POLLS (a stuck sync does not poll forever)', async () => {
    jest.useFakeTimers();
    const getStatus = jest.fn(async () => RUNNING);
    const api = makeFakeApi({ getStatus });
    renderHook(() => useAmoStatus(api, jest.fn()));
    await flush();
    expect(getStatus).toHaveBeenCalledTimes(1);
    await tick(SYNC_POLL_MS * (MAX_SYNC_POLLS + 10));
    expect(getStatus).toHaveBeenCalledTimes(1 + MAX_SYNC_POLLS);
  });

  it('startSync shows the returned sync state at once, then re-reads the status', async () => {
    let answer!: (s: AmoStatus) => void;
    const getStatus = jest
      .fn()
      .mockResolvedValueOnce(CONNECTED)
      .mockReturnValueOnce(new Promise<AmoStatus>((r) => (answer = r)));
    const api = makeFakeApi({ getStatus });
    const { result } = renderHook(() => useAmoStatus(api, jest.fn()));
    await waitFor(() => expect(result.current.connected).toBe(true));
    let started!: Promise<void>;
    act(() => {
      started = result.current.startSync();
    });
    await waitFor(() => expect(result.current.status?.sync?.state).toBe('running'));
    expect(result.current.syncBusy).toBe(true);
    expect(api.startSync).toHaveBeenCalledTimes(1);
    await act(async () => {
      answer(CONNECTED);
      await started;
    });
    expect(result.current.status?.sync?.state).toBe('idle');
  });

  it('apply shows a status the server returned elsewhere (exchange-code, disconnect)', async () => {
    const api = makeFakeApi();
    const { result } = renderHook(() => useAmoStatus(api, jest.fn()));
    await waitFor(() => expect(result.current.status).toEqual(NOT_CONNECTED));
    act(() => result.current.apply(CONNECTED));
    expect(result.current.connected).toBe(true);
  });
});
