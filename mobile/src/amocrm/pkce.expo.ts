import * as Crypto from 'expo-crypto';

import type { PkceDeps } from './pkce';

/** expo-crypto backed primitives (native modules on iOS/Android, WebCrypto on web). */
export const expoPkceDeps: PkceDeps = {
  randomBytes: (count) => Crypto.getRandomBytes(count),
  sha256: async (data) =>
    new Uint8Array(await Crypto.digest(Crypto.CryptoDigestAlgorithm.SHA256, data as Uint8Array<ArrayBuffer>)),
};
