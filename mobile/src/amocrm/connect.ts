/**
 * One connect attempt: fresh verifier → auth-url → auth session → completion.
 *
 * Opens the consent page ONLY with `openAuthSessionAsync(url, 'foryoure://amo-crm/callback')`
 * (ASWebAuthenticationSession / Custom Tabs). Never openBrowserAsync or Linking.openURL:
 * Safari would then navigate to the custom scheme itself and fail with "cannot open the page".
 */
import type { ForYouApi } from '../api/endpoints';
import { CALLBACK_PATH, CALLBACK_URL } from './callbackUrl';
import type { AmoCompletion, CompletionResult } from './completion';
import { createPkcePair, type PkceDeps } from './pkce';

export interface AuthSessionResult {
  type: string;
  url?: string;
}

export interface AuthBrowser {
  openAuthSessionAsync(url: string, redirectUrl?: string | null, options?: Record<string, unknown>): Promise<AuthSessionResult>;
}

export interface ConnectDeps {
  api: Pick<ForYouApi, 'getAuthUrl'>;
  completion: AmoCompletion;
  browser: AuthBrowser;
  pkce: PkceDeps;
  /** Called once the browser handed a callback URL back, before exchange-code (show "processing"). */
  onHandOver?: () => void;
  /**
   * Web build only: the popup flow. `auth-url?client=web&returnTo=<this origin>/amo-crm/callback`
   * (the backend checks returnTo against its allow-list) and the auth session waits for that URL.
   */
  web?: { returnTo: string };
}

export type ConnectOutcome =
  | { kind: 'completed'; result: CompletionResult }
  /** The session closed without a URL (cancel, or Android's `dismiss` that may hide a success). */
  | { kind: 'closed'; type: string };

/** On the web build: where the popup must come back to (served by app/amo-crm/callback.tsx). */
export function webReturnTo(): string | null {
  const loc = (globalThis as { location?: { origin?: string } }).location;
  return loc?.origin ? `${loc.origin}/${CALLBACK_PATH}` : null;
}

export async function connectAmoCrm(deps: ConnectDeps): Promise<ConnectOutcome> {
  const pair = await createPkcePair(deps.pkce);
  const auth = deps.web
    ? await deps.api.getAuthUrl(pair.challenge, 'web', deps.web.returnTo)
    : await deps.api.getAuthUrl(pair.challenge, 'mobile');
  deps.completion.beginAttempt(auth.state, pair.verifier);
  const result = await deps.browser.openAuthSessionAsync(auth.url, deps.web ? deps.web.returnTo : CALLBACK_URL);
  if (result.type === 'success' && result.url) {
    deps.onHandOver?.();
    return { kind: 'completed', result: await deps.completion.complete(result.url, 'auth-session') };
  }
  return { kind: 'closed', type: result.type };
}
