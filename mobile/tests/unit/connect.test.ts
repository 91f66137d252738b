import * as WebBrowser from 'expo-web-browser';

import { AmoCompletion } from '../../src/amocrm/completion';
import { connectAmoCrm } from '../../src/amocrm/connect';
import { challengeForVerifier } from '../../src/amocrm/pkce';
import { createDefaultServices } from '../../src/defaultServices';
import { CONNECTED, makeFakeApi, nodePkce } from './helpers';

jest.mock('expo-web-browser', () => ({
  openAuthSessionAsync: jest.fn(),
  openBrowserAsync: jest.fn(),
  maybeCompleteAuthSession: jest.fn(),
}));

describe('connectAmoCrm', () => {
  it('fresh challenge → auth-url → openAuthSessionAsync(url, foryoure://amo-crm/callback) → exchange with the verifier', async () => {
    const api = makeFakeApi();
    const completion = new AmoCompletion({ api, log: () => undefined });
    const browser = {
      openAuthSessionAsync: jest.fn(async () => ({ type: 'success', url: 'foryoure://amo-crm/callback?code=c9&state=st-1' })),
    };
    const onHandOver = jest.fn();
    const outcome = await connectAmoCrm({ api, completion, browser, pkce: nodePkce, onHandOver });

    expect(api.getAuthUrl).toHaveBeenCalledWith(expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), 'mobile');
    expect(browser.openAuthSessionAsync).toHaveBeenCalledWith(
      'http://127.0.0.1:8000/sandbox/oauth?client_id=c&state=st-1&mode=post_message',
      'foryoure://amo-crm/callback',
    );
    expect(onHandOver).toHaveBeenCalled();
    const { appVerifier } = api.exchangeCode.mock.calls[0][0];
    expect(api.exchangeCode).toHaveBeenCalledWith({ code: 'c9', state: 'st-1', appVerifier });
    expect(await challengeForVerifier(appVerifier, nodePkce)).toBe(api.getAuthUrl.mock.calls[0][0]);
    expect(outcome).toEqual({ kind: 'completed', result: { ok: true, status: CONNECTED } });
  });

  it('each attempt uses a new verifier', async () => {
    const api = makeFakeApi();
    const completion = new AmoCompletion({ api, log: () => undefined });
    const browser = { openAuthSessionAsync: jest.fn(async () => ({ type: 'cancel' })) };
    await connectAmoCrm({ api, completion, browser, pkce: nodePkce });
    await connectAmoCrm({ api, completion, browser, pkce: nodePkce });
    expect(api.getAuthUrl.mock.calls[0][0]).not.toBe(api.getAuthUrl.mock.calls[1][0]);
  });

  it('dismiss/cancel → closed, no exchange, attempt kept for the deep-link route', async () => {
    const api = makeFakeApi();
    const completion = new AmoCompletion({ api, log: () => undefined });
    const browser = { openAuthSessionAsync: jest.fn(async () => ({ type: 'dismiss' })) };
    await expect(connectAmoCrm({ api, completion, browser, pkce: nodePkce })).resolves.toEqual({ kind: 'closed', type: 'dismiss' });
    expect(api.exchangeCode).not.toHaveBeenCalled();
    expect(completion.currentAttempt?.state).toBe('st-1');
    // Android: the link then arrives through the router and completes the same attempt.
    await expect(completion.complete({ code: 'c1', state: 'st-1' })).resolves.toMatchObject({ ok: true });
  });

  it('web build: client=web with the allow-listed returnTo, and the popup waits for that URL', async () => {
    const api = makeFakeApi();
    const completion = new AmoCompletion({ api, log: () => undefined });
    const returnTo = 'http://127.0.0.1:8081/amo-crm/callback';
    const browser = { openAuthSessionAsync: jest.fn(async () => ({ type: 'success', url: `${returnTo}?code=w1&state=st-1` })) };
    const outcome = await connectAmoCrm({ api, completion, browser, pkce: nodePkce, web: { returnTo } });
    expect(api.getAuthUrl).toHaveBeenCalledWith(expect.any(String), 'web', returnTo);
    expect(browser.openAuthSessionAsync).toHaveBeenCalledWith(expect.any(String), returnTo);
    expect(api.exchangeCode).toHaveBeenCalledWith({ code: 'w1', state: 'st-1', appVerifier: expect.any(String) });
    expect(outcome).toMatchObject({ kind: 'completed', result: { ok: true } });
  });

  it('the app wires expo-web-browser (auth session) as its browser', () => {
    const services = createDefaultServices();
    expect(services.browser.openAuthSessionAsync).toBe(WebBrowser.openAuthSessionAsync);
  });
});
