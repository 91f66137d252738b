import { ApiClient, ApiError, buildQueryString, mapEnvelope } from '../../src/api/client';
import { createForYouApi } from '../../src/api/endpoints';

type Call = { url: string; init: RequestInit };

function fakeFetch(responses: Array<{ status: number; body: unknown } | Error>) {
  const calls: Call[] = [];
  const fetch = jest.fn(async (url: string, init?: RequestInit) => {
    calls.push({ url, init: init ?? {} });
    const next = responses.shift();
    if (!next) throw new Error('no more responses');
    if (next instanceof Error) throw next;
    const text = typeof next.body === 'string' ? next.body : JSON.stringify(next.body);
    return new Response(text, { status: next.status, headers: { 'Content-Type': 'application/json' } });
  });
  return { fetch, calls };
}

const headersOf = (c: Call) => c.init.headers as Record<string, string>;

describe('ApiClient', () => {
  it('sends the bearer token and unwraps data', async () => {
    const { fetch, calls } = fakeFetch([{ status: 200, body: { success: true, data: { connected: false } } }]);
    const client = new ApiClient({ baseUrl: 'http://api.test/', fetch, getToken: () => 'jwt-abc' });
    const api = createForYouApi(client);
    await expect(api.getStatus()).resolves.toEqual({ connected: false });
    expect(calls[0].url).toBe('http://api.test/api/amo-crm/status');
    expect(calls[0].init.method).toBe('GET');
    expect(headersOf(calls[0]).Authorization).toBe('Bearer jwt-abc');
  });

  it('exchange-code: POST JSON {code, state, appVerifier} with the bearer token', async () => {
    const { fetch, calls } = fakeFetch([{ status: 200, body: { success: true, data: { connected: true } } }]);
    const api = createForYouApi(new ApiClient({ baseUrl: 'http://api.test', fetch, getToken: async () => 'jwt-x' }));
    await api.exchangeCode({ code: 'c', state: 's', appVerifier: 'v' });
    expect(calls[0].url).toBe('http://api.test/api/amo-crm/exchange-code');
    expect(calls[0].init.method).toBe('POST');
    expect(headersOf(calls[0]).Authorization).toBe('Bearer jwt-x');
    expect(headersOf(calls[0])['Content-Type']).toBe('application/json');
    expect(JSON.parse(calls[0].init.body as string)).toEqual({ code: 'c', state: 's', appVerifier: 'v' });
  });

  it('login is anonymous even if a token exists', async () => {
    const { fetch, calls } = fakeFetch([{ status: 200, body: { success: true, data: { accessToken: 't' } } }]);
    const api = createForYouApi(new ApiClient({ baseUrl: 'http://api.test', fetch, getToken: () => 'old' }));
    await api.login('a@b.c', 'pw');
    expect(headersOf(calls[0]).Authorization).toBeUndefined();
    expect(JSON.parse(calls[0].init.body as string)).toEqual({ email: 'a@b.c', password: 'pw' });
  });

  it('auth-url query: client=mobile and appChallenge', async () => {
    const { fetch, calls } = fakeFetch([{ status: 200, body: { success: true, data: { url: 'u', state: 's' } } }]);
    const api = createForYouApi(new ApiClient({ baseUrl: 'http://api.test', fetch, getToken: () => 't' }));
    await api.getAuthUrl('ch_-1');
    expect(calls[0].url).toBe('http://api.test/api/amo-crm/auth-url?client=mobile&appChallenge=ch_-1');
  });

  it('leads query: repeatable params, empty values dropped', async () => {
    const { fetch, calls } = fakeFetch([{ status: 200, body: { success: true, data: { items: [] } } }]);
    const api = createForYouApi(new ApiClient({ baseUrl: 'http://api.test', fetch, getToken: () => 't' }));
    await api.listLeads({ query: 'вілла', statusId: [1, 2], responsibleUserId: [7], page: 2, limit: 25 });
    expect(calls[0].url).toBe(
      'http://api.test/api/amo-crm/leads?query=%D0%B2%D1%96%D0%BB%D0%BB%D0%B0&statusId=1&statusId=2&responsibleUserId=7&page=2&limit=25',
    );
    expect(buildQueryString({ a: '', b: null, c: undefined, d: [] })).toBe('');
  });

  it('maps the error envelope to a typed ApiError', async () => {
    const { fetch } = fakeFetch([
      { status: 409, body: { success: false, error: { code: 'AMO_NOT_CONNECTED', message: 'Not connected', details: { x: 1 } } } },
    ]);
    const api = createForYouApi(new ApiClient({ baseUrl: 'http://api.test', fetch, getToken: () => 't' }));
    const error = await api.listLeads({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'AMO_NOT_CONNECTED', message: 'Not connected', details: { x: 1 } });
  });

  it('non-envelope bodies and transport failures still become ApiError', async () => {
    const { fetch } = fakeFetch([{ status: 502, body: '<html>Bad gateway</html>' }, new TypeError('Network request failed')]);
    const client = new ApiClient({ baseUrl: 'http://api.test', fetch });
    await expect(client.get('/x')).rejects.toMatchObject({ status: 502, code: 'HTTP_502' });
    await expect(client.get('/x')).rejects.toMatchObject({ status: 0, code: 'NETWORK_ERROR' });
    expect(() => mapEnvelope(200, { success: true, data: 5 })).not.toThrow();
    expect(() => mapEnvelope(200, 'nope')).toThrow(ApiError);
  });

  it('401 to an authenticated request → onUnauthorized; 401 to login → not', async () => {
    const unauthorized = { success: false, error: { code: 'UNAUTHORIZED', message: 'Invalid token' } };
    const bad = { success: false, error: { code: 'INVALID_CREDENTIALS', message: 'Wrong password' } };
    const { fetch } = fakeFetch([
      { status: 401, body: unauthorized },
      { status: 401, body: bad },
    ]);
    const onUnauthorized = jest.fn();
    const api = createForYouApi(new ApiClient({ baseUrl: 'http://api.test', fetch, getToken: () => 't', onUnauthorized }));
    await expect(api.getStatus()).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    await expect(api.login('a', 'b')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('no token → no Authorization header', async () => {
    const { fetch, calls } = fakeFetch([{ status: 200, body: { success: true, data: {} } }]);
    await new ApiClient({ baseUrl: 'http://api.test', fetch, getToken: () => null }).get('/api/meta');
    expect(headersOf(calls[0]).Authorization).toBeUndefined();
  });
});
