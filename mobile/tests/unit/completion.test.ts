import { ApiError } from '../../src/api/client';
import { AmoCompletion, type CompletionResult } from '../../src/amocrm/completion';
import { CONNECTED } from './helpers';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const LINK = 'foryoure://amo-crm/callback?code=cc1&state=st1';

function setup() {
  const exchangeCode = jest.fn();
  const log = jest.fn();
  const completion = new AmoCompletion({ api: { exchangeCode }, log });
  return { completion, exchangeCode, log };
}

describe('AmoCompletion', () => {
  it('two concurrent calls (auth session + deep-link route) → one exchange-code request', async () => {
    const { completion, exchangeCode } = setup();
    const d = deferred<typeof CONNECTED>();
    exchangeCode.mockReturnValue(d.promise);
    completion.beginAttempt('st1', 'verifier-1');

    const a = completion.complete(LINK, 'auth-session');
    const b = completion.complete({ code: 'cc1', state: 'st1', referer: 'x' }, 'deep-link');
    expect(completion.isProcessing).toBe(true);
    d.resolve(CONNECTED);
    const [ra, rb] = await Promise.all([a, b]);

    expect(exchangeCode).toHaveBeenCalledTimes(1);
    expect(exchangeCode).toHaveBeenCalledWith({ code: 'cc1', state: 'st1', appVerifier: 'verifier-1' });
    expect(ra).toEqual({ ok: true, status: CONNECTED });
    expect(rb).toBe(ra);
    expect(completion.isProcessing).toBe(false);
  });

  it('a repeat after success returns the same result without a new request', async () => {
    const { completion, exchangeCode } = setup();
    exchangeCode.mockResolvedValue(CONNECTED);
    completion.beginAttempt('st1', 'v');
    const first = await completion.complete(LINK);
    const again = await completion.complete(LINK);
    expect(again).toBe(first);
    expect(exchangeCode).toHaveBeenCalledTimes(1);
    expect(completion.currentAttempt).toBeNull();
  });

  it('wrong state → rejected, no request', async () => {
    const { completion, exchangeCode } = setup();
    completion.beginAttempt('other-state', 'v');
    const r = await completion.complete(LINK);
    expect(r).toMatchObject({ ok: false, reason: 'state_mismatch' });
    expect(exchangeCode).not.toHaveBeenCalled();
  });

  it('no attempt started by this app → rejected, no request', async () => {
    const { completion, exchangeCode } = setup();
    const r = await completion.complete(LINK);
    expect(r).toMatchObject({ ok: false, reason: 'no_attempt' });
    expect(exchangeCode).not.toHaveBeenCalled();
  });

  it('malformed links → rejected, no request', async () => {
    const { completion, exchangeCode } = setup();
    completion.beginAttempt('st1', 'v');
    await expect(completion.complete('foryoure://amo-crm/callback?state=st1')).resolves.toMatchObject({
      ok: false,
      reason: 'missing_code',
    });
    await expect(completion.complete({ code: 'x' })).resolves.toMatchObject({ ok: false, reason: 'missing_state' });
    expect(exchangeCode).not.toHaveBeenCalled();
    expect(completion.currentAttempt).not.toBeNull();
  });

  it('error= link → explained, attempt ended, no request', async () => {
    const { completion, exchangeCode } = setup();
    completion.beginAttempt('st1', 'v');
    const r = await completion.complete('foryoure://amo-crm/callback?error=access_denied&state=st1');
    expect(r).toMatchObject({ ok: false, reason: 'error_link', error: 'access_denied' });
    expect((r as { message: string }).message).toMatch(/Ви відмовили в доступі/);
    expect(exchangeCode).not.toHaveBeenCalled();
    expect(completion.currentAttempt).toBeNull();
  });

  it('backend error → typed failure, final (no second request)', async () => {
    const { completion, exchangeCode } = setup();
    exchangeCode.mockRejectedValue(new ApiError(400, 'APP_VERIFIER_MISMATCH', 'bad verifier'));
    completion.beginAttempt('st1', 'v');
    const r = await completion.complete(LINK);
    expect(r).toMatchObject({ ok: false, reason: 'exchange_failed' });
    expect((r as { apiError: ApiError }).apiError.code).toBe('APP_VERIFIER_MISMATCH');
    await completion.complete(LINK);
    expect(exchangeCode).toHaveBeenCalledTimes(1);
  });

  it('network failure → the same link may be retried', async () => {
    const { completion, exchangeCode } = setup();
    exchangeCode.mockRejectedValueOnce(new ApiError(0, 'NETWORK_ERROR', 'offline')).mockResolvedValueOnce(CONNECTED);
    completion.beginAttempt('st1', 'v');
    await expect(completion.complete(LINK)).resolves.toMatchObject({ ok: false, reason: 'exchange_failed' });
    await expect(completion.complete(LINK)).resolves.toEqual({ ok: true, status: CONNECTED });
    expect(exchangeCode).toHaveBeenCalledTimes(2);
  });

  it('a new attempt replaces the old one', async () => {
    const { completion, exchangeCode } = setup();
    exchangeCode.mockResolvedValue(CONNECTED);
    completion.beginAttempt('st0', 'v0');
    completion.beginAttempt('st1', 'v1');
    await expect(completion.complete('foryoure://amo-crm/callback?code=c&state=st0')).resolves.toMatchObject({
      reason: 'state_mismatch',
    });
    await completion.complete(LINK);
    expect(exchangeCode).toHaveBeenCalledWith({ code: 'cc1', state: 'st1', appVerifier: 'v1' });
  });

  it('notifies subscribers once per completion and logs the checklist lines without secrets', async () => {
    const { completion, exchangeCode, log } = setup();
    exchangeCode.mockResolvedValue(CONNECTED);
    const seen: CompletionResult[] = [];
    const unsubscribe = completion.subscribe((r) => seen.push(r));
    completion.beginAttempt('st1', 'v');
    await Promise.all([completion.complete(LINK), completion.complete(LINK)]);
    expect(seen).toHaveLength(1);
    unsubscribe();
    expect(log).toHaveBeenCalledWith('deep link callback received', expect.anything());
    expect(log).toHaveBeenCalledWith('exchange-code called');
    expect(JSON.stringify(log.mock.calls)).not.toMatch(/cc1|st1/);
  });

  it('reset() forgets the attempt (sign-out)', async () => {
    const { completion, exchangeCode } = setup();
    completion.beginAttempt('st1', 'v');
    completion.reset();
    await expect(completion.complete(LINK)).resolves.toMatchObject({ reason: 'no_attempt' });
    expect(exchangeCode).not.toHaveBeenCalled();
  });
});
