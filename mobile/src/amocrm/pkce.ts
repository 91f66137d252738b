/**
 * App verifier / challenge for the amoCRM hand-over (mobile-oauth.md, design §2 and §7):
 * a fresh random 32-byte verifier per attempt, challenge = base64url(SHA-256(verifier)).
 *
 * Pure module: crypto primitives are injected (expo-crypto in the app, see pkce.expo.ts;
 * Node's crypto in tests), so it runs anywhere.
 */

export interface PkceDeps {
  randomBytes(count: number): Uint8Array;
  sha256(data: Uint8Array): Promise<Uint8Array>;
}

export interface PkcePair {
  verifier: string;
  challenge: string;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** RFC 4648 §5 base64url without padding. */
export function base64UrlEncode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64URL[(n >> 18) & 63] + B64URL[(n >> 12) & 63] + B64URL[(n >> 6) & 63] + B64URL[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += B64URL[(n >> 18) & 63] + B64URL[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += B64URL[(n >> 18) & 63] + B64URL[(n >> 12) & 63] + B64URL[(n >> 6) & 63];
  }
  return out;
}

/** The verifier is base64url text, so its bytes are plain ASCII. */
export function asciiBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) throw new Error('verifier must be ASCII');
    bytes[i] = c;
  }
  return bytes;
}

export const VERIFIER_BYTES = 32;

export async function challengeForVerifier(verifier: string, deps: PkceDeps): Promise<string> {
  return base64UrlEncode(await deps.sha256(asciiBytes(verifier)));
}

export async function createPkcePair(deps: PkceDeps): Promise<PkcePair> {
  const random = deps.randomBytes(VERIFIER_BYTES);
  if (random.length !== VERIFIER_BYTES) throw new Error('randomBytes returned the wrong length');
  const verifier = base64UrlEncode(random);
  return { verifier, challenge: await challengeForVerifier(verifier, deps) };
}
