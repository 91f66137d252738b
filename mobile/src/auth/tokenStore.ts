/** Where the app JWT lives. Pure module; the platform choice is in defaultTokenStore.ts. */
export interface TokenStore {
  get(): Promise<string | null>;
  set(token: string): Promise<void>;
  clear(): Promise<void>;
}

export const TOKEN_KEY = 'foryoure.accessToken';

export function createMemoryTokenStore(initial: string | null = null): TokenStore {
  let value = initial;
  return {
    get: async () => value,
    set: async (token) => {
      value = token;
    },
    clear: async () => {
      value = null;
    },
  };
}

export interface SecureStoreLike {
  getItemAsync(key: string): Promise<string | null>;
  setItemAsync(key: string, value: string, options?: Record<string, unknown>): Promise<void>;
  deleteItemAsync(key: string): Promise<void>;
}

/** iOS Keychain / Android Keystore via expo-secure-store. */
export function createSecureTokenStore(store: SecureStoreLike, options?: Record<string, unknown>): TokenStore {
  return {
    get: () => store.getItemAsync(TOKEN_KEY),
    set: (token) => store.setItemAsync(TOKEN_KEY, token, options),
    clear: () => store.deleteItemAsync(TOKEN_KEY),
  };
}

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Web: SecureStore is native-only, so localStorage (if usable), else memory. */
export function createWebTokenStore(storage: StorageLike | undefined): TokenStore {
  const memory = createMemoryTokenStore();
  if (!storage) return memory;
  return {
    get: async () => {
      try {
        return storage.getItem(TOKEN_KEY);
      } catch {
        return memory.get();
      }
    },
    set: async (token) => {
      try {
        storage.setItem(TOKEN_KEY, token);
      } catch {
        await memory.set(token);
      }
    },
    clear: async () => {
      try {
        storage.removeItem(TOKEN_KEY);
      } catch {
        /* ignore */
      }
      await memory.clear();
    },
  };
}
