import * as SecureStore from 'expo-secure-store';
import { Platform } from 'react-native';

import { createDefaultTokenStore } from '../../src/auth/defaultTokenStore';
import { createMemoryTokenStore, createSecureTokenStore, createWebTokenStore, TOKEN_KEY } from '../../src/auth/tokenStore';
import { resolveApiBaseUrl, DEFAULT_API_BASE_URL } from '../../src/config';

jest.mock('expo-secure-store', () => {
  const data = new Map<string, string>();
  return {
    AFTER_FIRST_UNLOCK_THIS_DEVICE_ONLY: 'afterFirstUnlockThisDevice',
    getItemAsync: jest.fn(async (k: string) => data.get(k) ?? null),
    setItemAsync: jest.fn(async (k: string, v: string) => void data.set(k, v)),
    deleteItemAsync: jest.fn(async (k: string) => void data.delete(k)),
  };
});

describe('token stores', () => {
  it('memory', async () => {
    const s = createMemoryTokenStore();
    await s.set('a');
    expect(await s.get()).toBe('a');
    await s.clear();
    expect(await s.get()).toBeNull();
  });

  it('native default uses expo-secure-store (device-only keychain)', async () => {
    expect(Platform.OS).not.toBe('web');
    const s = createDefaultTokenStore();
    await s.set('jwt');
    expect(SecureStore.setItemAsync).toHaveBeenCalledWith(TOKEN_KEY, 'jwt', { keychainAccessible: 'afterFirstUnlockThisDevice' });
    expect(await s.get()).toBe('jwt');
    await s.clear();
    expect(await s.get()).toBeNull();
  });

  it('secure store wrapper', async () => {
    const store = { getItemAsync: jest.fn(async () => 'x'), setItemAsync: jest.fn(async () => undefined), deleteItemAsync: jest.fn(async () => undefined) };
    const s = createSecureTokenStore(store);
    expect(await s.get()).toBe('x');
    expect(store.getItemAsync).toHaveBeenCalledWith(TOKEN_KEY);
  });

  it('web: localStorage, falling back to memory when storage throws or is absent', async () => {
    const data: Record<string, string> = {};
    const ls = { getItem: (k: string) => data[k] ?? null, setItem: (k: string, v: string) => void (data[k] = v), removeItem: (k: string) => void delete data[k] };
    const web = createWebTokenStore(ls);
    await web.set('t1');
    expect(data[TOKEN_KEY]).toBe('t1');
    expect(await web.get()).toBe('t1');
    await web.clear();
    expect(await web.get()).toBeNull();

    const broken = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); }, removeItem: () => undefined };
    const fallback = createWebTokenStore(broken);
    await fallback.set('t2');
    expect(await fallback.get()).toBe('t2');

    const none = createWebTokenStore(undefined);
    await none.set('t3');
    expect(await none.get()).toBe('t3');
  });
});

describe('resolveApiBaseUrl', () => {
  it('env wins, then app.json extra, then the demo default', () => {
    expect(resolveApiBaseUrl('https://api.example/ ', { apiBaseUrl: 'http://x' })).toBe('https://api.example');
    expect(resolveApiBaseUrl(undefined, { apiBaseUrl: 'http://10.0.2.2:8000/' })).toBe('http://10.0.2.2:8000');
    expect(resolveApiBaseUrl('', {})).toBe(DEFAULT_API_BASE_URL);
    expect(resolveApiBaseUrl(undefined, undefined)).toBe('http://127.0.0.1:8000');
  });
});
