import Constants from 'expo-constants';

export const DEFAULT_API_BASE_URL = 'http://127.0.0.1:8000';

/**
 * API base URL: EXPO_PUBLIC_API_BASE_URL (inlined at build time) → app.json `extra.apiBaseUrl`
 * → the demo server default.
 */
export function resolveApiBaseUrl(
  env: string | undefined = process.env.EXPO_PUBLIC_API_BASE_URL,
  extra: unknown = Constants.expoConfig?.extra,
): string {
  if (env && env.trim()) return env.trim().replace(/\/+$/, '');
  if (extra && typeof extra === 'object' && 'apiBaseUrl' in extra) {
    const value = (extra as { apiBaseUrl?: unknown }).apiBaseUrl;
    if (typeof value === 'string' && value.trim()) return value.trim().replace(/\/+$/, '');
  }
  return DEFAULT_API_BASE_URL;
}
