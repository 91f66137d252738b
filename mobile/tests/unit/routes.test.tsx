import { router, Stack } from 'expo-router';
import { Platform } from 'react-native';
import { act, fireEvent, renderRouter, screen, waitFor } from 'expo-router/testing-library';

import AmoCrmCallbackRoute from '../../app/amo-crm/callback';
import CrmRoute from '../../app/crm';
import LeadRoute from '../../app/lead/[id]';
import Index from '../../app/index';
import SignInRoute from '../../app/sign-in';
import { ApiError } from '../../src/api/client';
import { SESSION_EXPIRED_NOTICE } from '../../src/auth/session';
import { CONNECTED, makeFakeApi, makeLead, makeServices, NOT_CONNECTED, page, Providers, type TestServices } from './helpers';

jest.mock('expo-web-browser', () => ({
  openAuthSessionAsync: jest.fn(),
  openBrowserAsync: jest.fn(),
  maybeCompleteAuthSession: jest.fn(),
}));

beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

function renderApp(services: TestServices, initialUrl = '/') {
  const Layout = () => (
    <Providers services={services}>
      <Stack />
    </Providers>
  );
  return renderRouter(
    {
      _layout: Layout,
      index: Index,
      'sign-in': SignInRoute,
      crm: CrmRoute,
      'lead/[id]': LeadRoute,
      'amo-crm/callback': AmoCrmCallbackRoute,
    },
    { initialUrl },
  );
}

describe('sign-in', () => {
  it('signed out → the sign-in screen', async () => {
    const services = makeServices({ token: null });
    const r = renderApp(services);
    expect(await screen.findByTestId('sign-in-submit')).toBeTruthy();
    expect(r.getPathname()).toBe('/sign-in');
    expect(services.api.getStatus).not.toHaveBeenCalled();
  });

  it('signing in stores the JWT and opens the CRM screen', async () => {
    const services = makeServices({ token: null });
    const r = renderApp(services);
    fireEvent.changeText(await screen.findByTestId('sign-in-email'), ' demo@foryou-realestate.com ');
    fireEvent.changeText(screen.getByTestId('sign-in-password'), 'demo-password');
    fireEvent.press(screen.getByTestId('sign-in-submit'));
    expect(await screen.findByText('Не підключено')).toBeTruthy();
    expect(services.api.login).toHaveBeenCalledWith('demo@foryou-realestate.com', 'demo-password');
    expect(await services.tokenStore.get()).toBe('jwt-1');
    expect(services.tokens.get()).toBe('jwt-1');
    expect(r.getPathname()).toBe('/crm');
  });

  it('wrong password → message, stays on sign-in', async () => {
    const api = makeFakeApi({ login: jest.fn().mockRejectedValue(new ApiError(401, 'INVALID_CREDENTIALS', 'Invalid credentials')) });
    const services = makeServices({ api, token: null });
    const r = renderApp(services);
    fireEvent.changeText(await screen.findByTestId('sign-in-email'), 'x@y.z');
    fireEvent.changeText(screen.getByTestId('sign-in-password'), 'nope');
    fireEvent.press(screen.getByTestId('sign-in-submit'));
    expect(await screen.findByTestId('sign-in-error')).toHaveTextContent('Невірна електронна пошта або пароль.');
    expect(r.getPathname()).toBe('/sign-in');
  });

  it('empty form → validation message, no request', async () => {
    const services = makeServices({ token: null });
    renderApp(services);
    fireEvent.press(await screen.findByTestId('sign-in-submit'));
    expect(await screen.findByTestId('sign-in-error')).toBeTruthy();
    expect(services.api.login).not.toHaveBeenCalled();
  });

  it('demo server → credentials hint that fills the form', async () => {
    const api = makeFakeApi({
      meta: jest.fn(async () => ({
        demo: true,
        demoUser: { email: 'demo@foryou-realestate.com', password: 'demo-password' },
        amoAuthorizeHost: 'h',
        version: '1',
      })),
    });
    renderApp(makeServices({ api, token: null }));
    fireEvent.press(await screen.findByTestId('demo-fill'));
    expect(screen.getByTestId('sign-in-email').props.value).toBe('demo@foryou-realestate.com');
  });

  it('stored JWT → straight to the CRM screen', async () => {
    const r = renderApp(makeServices());
    expect(await screen.findByText('Не підключено')).toBeTruthy();
    expect(r.getPathname()).toBe('/crm');
  });
});

describe('401 → sign-in with a message', () => {
  it('an expired JWT on the CRM screen returns to sign-in once, with the notice', async () => {
    const services = makeServices();
    const error = new ApiError(401, 'UNAUTHORIZED', 'expired');
    services.api.getStatus.mockImplementation(async () => {
      services.tokens.raiseUnauthorized(error); // what ApiClient does on 401
      throw error;
    });
    const r = renderApp(services, '/crm');
    expect(await screen.findByTestId('session-notice')).toHaveTextContent(SESSION_EXPIRED_NOTICE);
    expect(r.getPathname()).toBe('/sign-in');
    expect(await services.tokenStore.get()).toBeNull();
    // renderRouter runs on fake timers: let any pending work run, then check nothing re-requested.
    await act(async () => {
      jest.advanceTimersByTime(5000);
    });
    expect(screen.getByTestId('sign-in-submit')).toBeTruthy();
    expect(services.api.getStatus).toHaveBeenCalledTimes(1);
  });

  it('signing in again after the notice works', async () => {
    const services = makeServices();
    const error = new ApiError(401, 'UNAUTHORIZED', 'expired');
    services.api.getStatus.mockImplementationOnce(async () => {
      services.tokens.raiseUnauthorized(error);
      throw error;
    });
    renderApp(services, '/crm');
    await screen.findByTestId('session-notice');
    fireEvent.changeText(screen.getByTestId('sign-in-email'), 'demo@foryou-realestate.com');
    fireEvent.changeText(screen.getByTestId('sign-in-password'), 'demo-password');
    fireEvent.press(screen.getByTestId('sign-in-submit'));
    expect(await screen.findByText('Не підключено')).toBeTruthy();
  });
});

describe('amo-crm/callback route', () => {
  it('redeems the attempt through the completion function, shows processing, then the CRM screen', async () => {
    const services = makeServices();
    let finish!: (v: typeof CONNECTED) => void;
    services.api.exchangeCode.mockReturnValue(new Promise((res) => (finish = res)));
    services.api.getStatus.mockResolvedValue(CONNECTED);
    services.completion.beginAttempt('st-1', 'verifier-xyz');

    const r = renderApp(services, '/amo-crm/callback?code=c1&state=st-1&referer=reforyou.amocrm.ru');
    expect(await screen.findByTestId('callback-processing')).toBeTruthy();
    await waitFor(() => expect(services.api.exchangeCode).toHaveBeenCalledTimes(1));
    expect(services.api.exchangeCode).toHaveBeenCalledWith({ code: 'c1', state: 'st-1', appVerifier: 'verifier-xyz' });
    expect(console.log).toHaveBeenCalledWith('[foryoure] deep link callback received', expect.objectContaining({ source: 'deep-link' }));
    expect(console.log).toHaveBeenCalledWith('[foryoure] exchange-code called');

    await act(async () => finish(CONNECTED));
    expect(await screen.findByText('Підключено')).toBeTruthy();
    expect(r.getPathname()).toBe('/crm');
  });

  it('the same link through the route and the auth session → one exchange-code request', async () => {
    const services = makeServices();
    services.api.getStatus.mockResolvedValue(CONNECTED);
    services.completion.beginAttempt('st-1', 'v');
    const fromSession = services.completion.complete('foryoure://amo-crm/callback?code=c1&state=st-1', 'auth-session');
    renderApp(services, '/amo-crm/callback?code=c1&state=st-1');
    await act(async () => {
      await fromSession;
    });
    await waitFor(() => expect(screen.getByText('Підключено')).toBeTruthy());
    expect(services.api.exchangeCode).toHaveBeenCalledTimes(1);
  });

  it('error= link → explained with a retry that returns to the CRM screen', async () => {
    const services = makeServices();
    services.completion.beginAttempt('st-1', 'v');
    const r = renderApp(services, '/amo-crm/callback?error=access_denied&state=st-1');
    expect(await screen.findByTestId('callback-error')).toHaveTextContent(/Ви відмовили в доступі/);
    expect(services.api.exchangeCode).not.toHaveBeenCalled();
    fireEvent.press(screen.getByTestId('callback-retry'));
    expect(await screen.findByText('Підключити AMO CRM')).toBeTruthy();
    expect(r.getPathname()).toBe('/crm');
  });

  it('a link this app did not start (no attempt) is not redeemed', async () => {
    const services = makeServices();
    renderApp(services, '/amo-crm/callback?code=c1&state=forged');
    expect(await screen.findByTestId('callback-error')).toHaveTextContent(/Немає активної спроби/);
    expect(services.api.exchangeCode).not.toHaveBeenCalled();
  });

  it('wrong state → not redeemed', async () => {
    const services = makeServices();
    services.completion.beginAttempt('st-1', 'v');
    renderApp(services, '/amo-crm/callback?code=c1&state=st-2');
    expect(await screen.findByTestId('callback-error')).toHaveTextContent(/не відповідає/);
    expect(services.api.exchangeCode).not.toHaveBeenCalled();
  });

  it('web popup: hands the URL back to the opener instead of completing here', async () => {
    const WebBrowser = jest.requireMock('expo-web-browser') as { maybeCompleteAuthSession: jest.Mock };
    WebBrowser.maybeCompleteAuthSession.mockReturnValue({ type: 'success', message: '' });
    jest.replaceProperty(Platform, 'OS', 'web');
    const services = makeServices();
    services.completion.beginAttempt('st-1', 'v');
    renderApp(services, '/amo-crm/callback?code=c1&state=st-1');
    expect(await screen.findByTestId('callback-handed-back')).toBeTruthy();
    expect(WebBrowser.maybeCompleteAuthSession).toHaveBeenCalled();
    expect(services.api.exchangeCode).not.toHaveBeenCalled();
  });

  it('signed out → sign-in, nothing redeemed', async () => {
    const services = makeServices({ token: null });
    services.api.getStatus.mockResolvedValue(NOT_CONNECTED);
    const r = renderApp(services, '/amo-crm/callback?code=c1&state=st-1');
    expect(await screen.findByTestId('sign-in-submit')).toBeTruthy();
    expect(r.getPathname()).toBe('/sign-in');
    expect(services.api.exchangeCode).not.toHaveBeenCalled();
  });
});

describe('a lead from the list', () => {
  it('a tap opens /lead/{id} over the list; Back returns to the list with its filters', async () => {
    const listLeads = jest.fn(async () => page([makeLead(1), makeLead(2)]));
    const api = makeFakeApi({ getStatus: jest.fn(async () => CONNECTED), listLeads });
    const services = makeServices({ api });
    const r = renderApp(services, '/crm');
    fireEvent.press(await screen.findByTestId('filters-toggle'));
    fireEvent.press(await screen.findByTestId('filter-cf-2200300-5000402'));
    fireEvent.press(screen.getByTestId('filters-apply'));
    await waitFor(() => expect(listLeads).toHaveBeenLastCalledWith(expect.objectContaining({ customField: ['2200300:5000402'] })));
    const calls = listLeads.mock.calls.length;

    fireEvent.press(await screen.findByTestId('lead-row-2'));
    expect(await screen.findByTestId('call-44-0')).toBeTruthy();
    expect(r.getPathname()).toBe('/lead/2');
    expect(services.api.getLead).toHaveBeenCalledWith(2);

    act(() => router.back());
    expect(await screen.findByTestId('lead-row-1')).toBeTruthy();
    expect(r.getPathname()).toBe('/crm');
    // The list was kept as it was: same filters, not asked again.
    expect(screen.getByTestId('filter-cf-2200300-5000402')).toBeSelected();
    expect(listLeads).toHaveBeenCalledTimes(calls);
  });
});
