import {
  CALLBACK_URL,
  checkState,
  describeCallbackError,
  isCallbackUrl,
  parseCallbackParams,
  parseCallbackUrl,
} from '../../src/amocrm/callbackUrl';

describe('parseCallbackUrl', () => {
  it('the redirect target is foryoure://amo-crm/callback', () => {
    expect(CALLBACK_URL).toBe('foryoure://amo-crm/callback');
  });

  it('parses code and state', () => {
    expect(parseCallbackUrl('foryoure://amo-crm/callback?code=abc123&state=xyz')).toEqual({
      kind: 'code',
      code: 'abc123',
      state: 'xyz',
    });
  });

  it('decodes percent-encoding', () => {
    expect(parseCallbackUrl('foryoure://amo-crm/callback?code=a%2Bb%3D&state=s%20t')).toEqual({
      kind: 'code',
      code: 'a+b=',
      state: 's t',
    });
  });

  it('ignores extra params and a fragment', () => {
    expect(
      parseCallbackUrl('foryoure://amo-crm/callback?referer=x.amocrm.ru&code=c1&platform=1&state=s1&utm=z#frag'),
    ).toEqual({ kind: 'code', code: 'c1', state: 's1' });
  });

  it('accepts the reverse-DNS scheme, an Expo dev URL and the web route', () => {
    for (const base of [
      'com.foryourealestate.app://amo-crm/callback',
      'exp://192.168.1.2:8081/--/amo-crm/callback',
      'http://127.0.0.1:8081/amo-crm/callback',
      'foryoure://amo-crm/callback/',
    ]) {
      expect(parseCallbackUrl(`${base}?code=c&state=s`)).toEqual({ kind: 'code', code: 'c', state: 's' });
    }
  });

  it('missing state / missing code / no query', () => {
    expect(parseCallbackUrl('foryoure://amo-crm/callback?code=c')).toEqual({ kind: 'invalid', reason: 'missing_state' });
    expect(parseCallbackUrl('foryoure://amo-crm/callback?state=s')).toEqual({ kind: 'invalid', reason: 'missing_code' });
    expect(parseCallbackUrl('foryoure://amo-crm/callback?code=&state=s')).toEqual({ kind: 'invalid', reason: 'missing_code' });
    expect(parseCallbackUrl('foryoure://amo-crm/callback')).toEqual({ kind: 'invalid', reason: 'missing_state' });
  });

  it('rejects repeated code/state (ambiguous)', () => {
    expect(parseCallbackUrl('foryoure://amo-crm/callback?code=a&code=b&state=s')).toEqual({
      kind: 'invalid',
      reason: 'duplicate_param',
    });
    expect(parseCallbackUrl('foryoure://amo-crm/callback?code=a&state=s&state=t')).toEqual({
      kind: 'invalid',
      reason: 'duplicate_param',
    });
  });

  it('rejects other paths', () => {
    expect(parseCallbackUrl('foryoure://other?code=c&state=s')).toEqual({ kind: 'invalid', reason: 'not_a_callback' });
    expect(parseCallbackUrl('foryoure://evil/amo-crm/callbackx?code=c&state=s')).toEqual({
      kind: 'invalid',
      reason: 'not_a_callback',
    });
    expect(parseCallbackUrl('not a url')).toEqual({ kind: 'invalid', reason: 'not_a_callback' });
    expect(isCallbackUrl('foryoure://amo-crm/callback?x')).toBe(true);
  });

  it('error= links win over a code and keep the state', () => {
    expect(parseCallbackUrl('foryoure://amo-crm/callback?error=access_denied&state=s1')).toEqual({
      kind: 'error',
      error: 'access_denied',
      state: 's1',
    });
    expect(parseCallbackUrl('foryoure://amo-crm/callback?error=server_error')).toEqual({
      kind: 'error',
      error: 'server_error',
      state: null,
    });
    expect(parseCallbackUrl('foryoure://amo-crm/callback?code=c&error=exchange_failed&state=s')).toMatchObject({
      kind: 'error',
      error: 'exchange_failed',
    });
  });
});

describe('parseCallbackParams (expo-router search params)', () => {
  it('handles strings, arrays and undefined', () => {
    expect(parseCallbackParams({ code: 'c', state: 's', extra: undefined })).toEqual({ kind: 'code', code: 'c', state: 's' });
    expect(parseCallbackParams({ code: ['c', 'd'], state: 's' })).toEqual({ kind: 'invalid', reason: 'duplicate_param' });
    expect(parseCallbackParams({ error: 'access_denied', state: 's' })).toMatchObject({ kind: 'error' });
    expect(parseCallbackParams({})).toEqual({ kind: 'invalid', reason: 'missing_state' });
  });
});

describe('checkState', () => {
  const parsed = parseCallbackUrl('foryoure://amo-crm/callback?code=c&state=mine');
  it('accepts the state this attempt started', () => {
    expect(checkState(parsed, 'mine')).toEqual(parsed);
  });
  it('rejects a wrong state or no attempt', () => {
    expect(checkState(parsed, 'other')).toEqual({ kind: 'invalid', reason: 'state_mismatch' });
    expect(checkState(parsed, null)).toEqual({ kind: 'invalid', reason: 'state_mismatch' });
  });
  it('passes error links through', () => {
    const err = parseCallbackUrl('foryoure://amo-crm/callback?error=access_denied&state=x');
    expect(checkState(err, 'mine')).toBe(err);
  });
});

describe('describeCallbackError', () => {
  it('explains every contract error code in Ukrainian, and unknown ones generically', () => {
    for (const code of ['access_denied', 'state_invalid', 'referer_not_allowed', 'exchange_failed', 'amocrm_unavailable', 'server_error']) {
      expect(describeCallbackError(code)).not.toContain(code);
    }
    expect(describeCallbackError('weird')).toContain('weird');
    expect(describeCallbackError('access_denied')).toContain('РАЗРЕШИТЬ');
  });
});
