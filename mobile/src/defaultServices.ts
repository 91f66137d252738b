import * as WebBrowser from 'expo-web-browser';
import { Linking } from 'react-native';

import { expoPkceDeps } from './amocrm/pkce.expo';
import { createDefaultTokenStore } from './auth/defaultTokenStore';
import { resolveApiBaseUrl } from './config';
import { createCoreServices, type AppServices } from './services';

export function createDefaultServices(): AppServices {
  const baseUrl = resolveApiBaseUrl();
  const core = createCoreServices({ baseUrl, fetch: (input, init) => fetch(input, init) });
  return {
    baseUrl,
    tokens: core.tokens,
    tokenStore: createDefaultTokenStore(),
    api: core.api,
    completion: core.completion,
    browser: WebBrowser,
    pkce: expoPkceDeps,
    // Leads are plain https links into amoCRM; this is not part of the OAuth flow.
    openExternal: async (url) => {
      await Linking.openURL(url);
    },
  };
}
