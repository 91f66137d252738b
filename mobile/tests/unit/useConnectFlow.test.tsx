import { act, renderHook } from '@testing-library/react-native';
import { Platform } from 'react-native';

import { ApiError } from '../../src/api/client';
import type { AmoStatus } from '../../src/api/types';
import { useConnectFlow } from '../../src/amocrm/useConnectFlow';
import { CONNECTED, makeFakeApi, makeServices, type TestServices } from './helpers';

type SessionAnswer = { type: string; url?: string };

beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

/** The hook with a controllable auth session: `answer` settles openAuthSessionAsync. */
function setup(services: TestServices = makeServices()) {
  let answer!: (value: SessionAnswer) => void;
  services.browser.openAuthSessionAsync.mockImplementation(() => new Promise<SessionAnswer>((r) => (answer = r)));
  const deps = { applyStatus: jest.fn<void, [AmoStatus]>(), reloadStatus: jest.fn(async () => undefined), onConnected: jest.fn() };
  const hook = renderHook(() => useConnectFlow({ services, ...deps }));
  let started: Promise<void> = Promise.resolve();
  const start = async () => {
    await act(async () => {
      started = hook.result.current.start();
      await Promise.resolve();
    });
  };
  const settle = async (value: SessionAnswer) => {
    await act(async () => {
      answer(value);
      await started;
    });
  };
  /** Answers the auth session without waiting for the attempt to finish. */
  const answerOnly = (value: SessionAnswer) => answer(value);
  return { ...hook, ...deps, services, start, settle, answerOnly };
}

describe('useConnectFlow', () => {
  it('idle → browser → processing (exchange-code running) → idle; the status and a reload follow', async () => {
    const services = makeServices();
    let exchanged!: (s: AmoStatus) => void;
    services.api.exchangeCode.mockReturnValue(new Promise<AmoStatus>((r) => (exchanged = r)));
    const flow = setup(services);
    expect(flow.result.current.phase).toEqual({ kind: 'idle' });

    await flow.start();
    expect(flow.result.current.phase).toEqual({ kind: 'browser' });
    expect(services.browser.openAuthSessionAsync).toHaveBeenCalledWith(expect.any(String), 'foryoure://amo-crm/callback');

    await act(async () => {
      flow.answerOnly({ type: 'success', url: 'foryoure://amo-crm/callback?code=c1&state=st-1' });
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(flow.result.current.phase).toEqual({ kind: 'processing' });
    expect(flow.applyStatus).not.toHaveBeenCalled();

    await act(async () => exchanged(CONNECTED));
    expect(flow.result.current.phase).toEqual({ kind: 'idle' });
    expect(flow.applyStatus).toHaveBeenCalledWith(CONNECTED);
    expect(flow.onConnected).toHaveBeenCalledTimes(1);
    expect(flow.reloadStatus).toHaveBeenCalledTimes(1);
  });

  it('the browser closed without a link → failed with a retry message, status re-read', async () => {
    const flow = setup();
    await flow.start();
    await flow.settle({ type: 'cancel' });
    expect(flow.result.current.phase).toEqual({
      kind: 'failed',
      message: 'Підключення не завершено: вікно AMO CRM закрито. Спробуйте ще раз.',
    });
    expect(flow.reloadStatus).toHaveBeenCalledTimes(1);
    expect(flow.onConnected).not.toHaveBeenCalled();
  });

  it('Android: dismiss while the deep link is being completed → no failure; the completion decides', async () => {
    const services = makeServices();
    let exchanged!: (s: AmoStatus) => void;
    services.api.exchangeCode.mockReturnValue(new Promise<AmoStatus>((r) => (exchanged = r)));
    const flow = setup(services);
    await flow.start();
    let viaRoute!: Promise<unknown>;
    act(() => {
      viaRoute = services.completion.complete({ code: 'c1', state: 'st-1' }, 'deep-link');
    });
    await flow.settle({ type: 'dismiss' });
    expect(flow.result.current.phase).toEqual({ kind: 'browser' });
    await act(async () => {
      exchanged(CONNECTED);
      await viaRoute;
    });
    expect(flow.result.current.phase).toEqual({ kind: 'idle' });
    expect(flow.onConnected).toHaveBeenCalledTimes(1);
  });

  it('an error= link → failed with its explanation, nothing applied', async () => {
    const flow = setup();
    await flow.start();
    await flow.settle({ type: 'success', url: 'foryoure://amo-crm/callback?error=access_denied&state=st-1' });
    expect(flow.result.current.phase).toMatchObject({ kind: 'failed', message: expect.stringMatching(/Ви відмовили в доступі/) });
    expect(flow.applyStatus).not.toHaveBeenCalled();
    expect(flow.services.api.exchangeCode).not.toHaveBeenCalled();
  });

  it.each([
    {
      name: 'a network error → failed, saying the start failed and why',
      error: new ApiError(0, 'NETWORK_ERROR', 'Network error: x'),
      phase: { kind: 'failed', message: "Не вдалося почати підключення. Немає з'єднання з сервером. Перевірте мережу і спробуйте ще раз." },
    },
    // A 401 signs the session out; the screen goes away, so no message is shown.
    { name: 'a 401 → no failure message', error: new ApiError(401, 'UNAUTHORIZED', 'expired'), phase: { kind: 'browser' } },
  ])('auth-url answers $name', async ({ error, phase }) => {
    const flow = setup(makeServices({ api: makeFakeApi({ getAuthUrl: jest.fn().mockRejectedValue(error) }) }));
    await flow.start();
    await act(async () => undefined);
    expect(flow.result.current.phase).toEqual(phase);
    expect(flow.services.browser.openAuthSessionAsync).not.toHaveBeenCalled();
  });

  it('a completion from the amo-crm/callback route alone (no button press) also lands here', async () => {
    const flow = setup();
    flow.services.completion.beginAttempt('st-9', 'verifier');
    await act(async () => {
      await flow.services.completion.complete({ code: 'c9', state: 'st-9' }, 'deep-link');
    });
    expect(flow.applyStatus).toHaveBeenCalledWith(CONNECTED);
    expect(flow.onConnected).toHaveBeenCalledTimes(1);
  });

  it('web build: the popup asks auth-url for client=web with this origin’s callback', async () => {
    jest.replaceProperty(Platform, 'OS', 'web');
    const page = globalThis as { location?: { origin: string } };
    page.location = { origin: 'http://127.0.0.1:8081' };
    try {
      const flow = setup();
      await flow.start();
      expect(flow.services.api.getAuthUrl).toHaveBeenCalledWith(expect.any(String), 'web', 'http://127.0.0.1:8081/amo-crm/callback');
      expect(flow.services.browser.openAuthSessionAsync).toHaveBeenCalledWith(expect.any(String), 'http://127.0.0.1:8081/amo-crm/callback');
    } finally {
      delete page.location;
    }
  });

  it('after unmount a late answer changes nothing', async () => {
    const flow = setup();
    await flow.start();
    flow.unmount();
    await flow.settle({ type: 'cancel' });
    expect(flow.reloadStatus).not.toHaveBeenCalled();
  });
});
