import * as SecureStore from 'expo-secure-store';
import { Platform } from 'react-native';

import { createSecureTokenStore, createWebTokenStore, type StorageLike, type TokenStore } from './tokenStore';

export function createDefaultTokenStore(): TokenStore {
  if (Platform.OS === 'web') {
    const storage = (globalThis as { localStorage?: StorageLike }).localStorage;
    return createWebTokenStore(storage);
  }
  return createSecureTokenStore(SecureStore, {
    keychainAccessible: SecureStore.AFTER_FIRST_UNLOCK_THIS_DEVICE_ONLY,
  });
}
