import { act, renderHook } from '@testing-library/react-native';

import { ApiError } from '../../src/api/client';
import type { AmoStatus } from '../../src/api/types';
import { useDisconnect } from '../../src/amocrm/useDisconnect';
import { makeFakeApi, NOT_CONNECTED } from './helpers';

describe('useDisconnect', () => {
  it('asks first; cancelling sends nothing', () => {
    const api = makeFakeApi();
    const { result } = renderHook(() => useDisconnect(api, jest.fn()));
    expect(result.current.asking).toBe(false);
    act(() => result.current.ask());
    expect(result.current.asking).toBe(true);
    act(() => result.current.cancel());
    expect(result.current.asking).toBe(false);
    expect(api.disconnect).not.toHaveBeenCalled();
  });

  it('confirm → busy while POST disconnect runs → the new status handed over, the question closed', async () => {
    let answer!: (s: AmoStatus) => void;
    const api = makeFakeApi({ disconnect: jest.fn(() => new Promise<AmoStatus>((r) => (answer = r))) });
    const onDisconnected = jest.fn();
    const { result } = renderHook(() => useDisconnect(api, onDisconnected));
    act(() => result.current.ask());
    let confirmed!: Promise<void>;
    act(() => {
      confirmed = result.current.confirm();
    });
    expect(result.current.busy).toBe(true);
    await act(async () => {
      answer(NOT_CONNECTED);
      await confirmed;
    });
    expect(onDisconnected).toHaveBeenCalledWith(NOT_CONNECTED);
    expect(result.current).toMatchObject({ asking: false, busy: false, error: null });
  });

  it('a failure keeps the question open with the reason; trying again works', async () => {
    const disconnect = jest
      .fn()
      .mockRejectedValueOnce(new ApiError(0, 'NETWORK_ERROR', 'Network error: refused'))
      .mockResolvedValueOnce(NOT_CONNECTED);
    const onDisconnected = jest.fn();
    const { result } = renderHook(() => useDisconnect(makeFakeApi({ disconnect }), onDisconnected));
    act(() => result.current.ask());
    await act(() => result.current.confirm());
    expect(result.current).toMatchObject({ asking: true, busy: false, error: "Немає з'єднання з сервером. Перевірте мережу і спробуйте ще раз." });
    expect(onDisconnected).not.toHaveBeenCalled();
    await act(() => result.current.confirm());
    expect(result.current).toMatchObject({ asking: false, error: null });
    expect(onDisconnected).toHaveBeenCalledTimes(1);
  });
});
