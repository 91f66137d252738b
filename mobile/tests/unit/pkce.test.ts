import { asciiBytes, base64UrlEncode, challengeForVerifier, createPkcePair } from '../../src/amocrm/pkce';
import { nodePkce } from './helpers';

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

describe('base64UrlEncode', () => {
  it.each([
    ['', ''],
    ['f', 'Zg'],
    ['fo', 'Zm8'],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg'],
    ['fooba', 'Zm9vYmE'],
    ['foobar', 'Zm9vYmFy'],
  ])('RFC 4648 vector %j → %j (no padding)', (input, expected) => {
    expect(base64UrlEncode(enc(input))).toBe(expected);
  });

  it('uses the URL-safe alphabet', () => {
    expect(base64UrlEncode(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('-_-_');
  });

  it('matches Node for random input', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = nodePkce.randomBytes(n);
      expect(base64UrlEncode(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
    }
  });
});

describe('challenge', () => {
  it('RFC 7636 appendix B: S256 of the example verifier', async () => {
    await expect(challengeForVerifier('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', nodePkce)).resolves.toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('rejects non-ASCII verifiers', () => {
    expect(() => asciiBytes('é')).toThrow();
  });
});

describe('createPkcePair', () => {
  it('makes a fresh 32-byte verifier (43 base64url chars) each time, with its challenge', async () => {
    const a = await createPkcePair(nodePkce);
    const b = await createPkcePair(nodePkce);
    expect(a.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.verifier).not.toBe(b.verifier);
    expect(a.challenge).toBe(await challengeForVerifier(a.verifier, nodePkce));
    expect(a.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('asks for exactly 32 random bytes', async () => {
    const randomBytes = jest.fn((n: number) => new Uint8Array(n));
    await createPkcePair({ ...nodePkce, randomBytes });
    expect(randomBytes).toHaveBeenCalledWith(32);
  });
});
