/**
 * Every word on the app's screens comes from the glossary: the screens are rendered in
 * Ukrainian and in English, and each string a Text draws must be a sentence of that language's
 * dictionary (its `{placeholders}` standing for anything) — or have no letters at all (numbers,
 * arrows). The one exception is the account's own data, drawn with DataText.
 */
import { Stack } from 'expo-router';
import { fireEvent, renderRouter, screen } from 'expo-router/testing-library';
import type { ReactTestInstance } from 'react-test-renderer';
import { Text } from 'react-native';

import AmoCrmCallbackRoute from '../../app/amo-crm/callback';
import LeadRoute from '../../app/lead/[id]';
import CrmRoute from '../../app/crm';
import Index from '../../app/index';
import SignInRoute from '../../app/sign-in';
import { ApiError } from '../../src/api/client';
import type { AmoStatus, EndReason } from '../../src/api/types';
import { MESSAGES, setLanguage, type Language } from '../../src/i18n';
import { DataText } from '../../src/ui/components';
import { CONNECTED, makeFakeApi, makeLead, makeServices, NOT_CONNECTED, page, Providers, type TestServices } from './helpers';

jest.mock('expo-web-browser', () => ({
  openAuthSessionAsync: jest.fn(),
  openBrowserAsync: jest.fn(),
  maybeCompleteAuthSession: jest.fn(),
}));

beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
afterEach(() => {
  setLanguage('uk');
  jest.restoreAllMocks();
});

function sentencePatterns(language: Language): RegExp[] {
  return Object.values(MESSAGES[language]).map((text) => {
    const parts = text.split(/\{\w+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    return new RegExp(`^${parts.join('[\\s\\S]+?')}$`);
  });
}

function insideData(node: ReactTestInstance): boolean {
  for (let at: ReactTestInstance | null = node; at; at = at.parent) if (at.type === DataText) return true;
  return false;
}

function strings(children: unknown): string[] {
  if (typeof children === 'string' || typeof children === 'number') return [String(children)];
  return Array.isArray(children) ? children.flatMap(strings) : [];
}

/** The strings drawn by Text on screen now that are neither data nor a glossary sentence. */
function foreignWords(language: Language): string[] {
  const patterns = sentencePatterns(language);
  const drawn = screen.UNSAFE_root.findAllByType(Text)
    .filter((node) => !insideData(node))
    .flatMap((node) => strings(node.props.children))
    .map((text) => text.trim())
    .filter((text) => /\p{L}/u.test(text));
  expect(drawn.length).toBeGreaterThan(0);
  return drawn.filter((text) => !patterns.some((pattern) => pattern.test(text)));
}

function renderApp(services: TestServices, initialUrl: string) {
  const Layout = () => (
    <Providers services={services}>
      <Stack />
    </Providers>
  );
  return renderRouter(
    {
      _layout: Layout,
      index: Index,
      'sign-in': SignInRoute,
      crm: CrmRoute,
      'lead/[id]': LeadRoute,
      'amo-crm/callback': AmoCrmCallbackRoute,
    },
    { initialUrl },
  );
}

const ended = (reason: EndReason): AmoStatus => ({
  ...NOT_CONNECTED,
  ended: { reason, at: '2026-11-27T08:05:00Z', domain: 'reforyou.amocrm.ru' },
});

describe.each<Language>(['uk', 'en'])('every word on screen is the glossary’s (%s)', (language) => {
  beforeEach(() => setLanguage(language));

  it('sign-in, with the demo hint and a refused password', async () => {
    const api = makeFakeApi({
      meta: jest.fn(async () => ({ demo: true, demoUser: { email: 'demo@x.test', password: 'p' }, amoAuthorizeHost: 'x', version: '1' })),
      login: jest.fn().mockRejectedValue(new ApiError(401, 'INVALID_CREDENTIALS', 'Invalid email or password.')),
    });
    renderApp(makeServices({ api, token: null }), '/sign-in');
    fireEvent.changeText(await screen.findByTestId('sign-in-email'), 'a@b.c');
    fireEvent.changeText(screen.getByTestId('sign-in-password'), 'wrong');
    fireEvent.press(screen.getByTestId('sign-in-submit'));
    await screen.findByText(MESSAGES[language]['err.INVALID_CREDENTIALS']);
    expect(foreignWords(language)).toEqual([]);
  });

  it.each<EndReason>(['agent_disconnected', 'integration_removed', 'refresh_refused', 'admin_removed'])(
    'not connected, ended: %s, with «reconnect»',
    async (reason) => {
      renderApp(makeServices({ api: makeFakeApi({ getStatus: jest.fn(async () => ended(reason)) }) }), '/crm');
      await screen.findByTestId('status-ended');
      expect(screen.getByTestId('connect-button')).toHaveTextContent(MESSAGES[language]['crm.reconnect']);
      expect(foreignWords(language)).toEqual([]);
    },
  );

  it('connected: leads with contacts and tags, filters and sort open, then the disconnect question', async () => {
    const lead = makeLead(9, { price: 1250000, tags: ['VIP'], contacts: [{ id: 1, name: 'Марія' }, { id: 2, name: 'Іван' }] });
    const api = makeFakeApi({ getStatus: jest.fn(async () => CONNECTED), listLeads: jest.fn(async () => page([lead, makeLead(10)])) });
    renderApp(makeServices({ api }), '/crm');
    await screen.findByTestId('lead-row-9');
    fireEvent.press(screen.getByTestId('filters-toggle'));
    fireEvent.press(screen.getByTestId('sort-toggle'));
    await screen.findByTestId('filter-pipeline-1');
    expect(foreignWords(language)).toEqual([]);
    fireEvent.press(screen.getByTestId('disconnect-button'));
    await screen.findByTestId('disconnect-confirm');
    expect(foreignWords(language)).toEqual([]);
  });

  it('a lead, whole: contacts with phones and e-mails, company, tasks, fields, notes', async () => {
    renderApp(makeServices(), '/lead/7');
    await screen.findByTestId('call-44-0');
    expect(foreignWords(language)).toEqual([]);
  });

  it('a failed sync (the server’s reason only on an English screen) and a failed page of leads', async () => {
    const failed = { ...CONNECTED, sync: { state: 'failed' as const, progress: 0, lastSyncedAt: null, error: 'amoCRM refused access (403).' } };
    const api = makeFakeApi({
      getStatus: jest.fn(async () => failed),
      listLeads: jest.fn().mockRejectedValue(new ApiError(503, 'AMOCRM_UNAVAILABLE', 'amoCRM is not answering right now.')),
    });
    renderApp(makeServices({ api }), '/crm');
    await screen.findByTestId('leads-error');
    expect(screen.getByTestId('sync-failed')).toHaveTextContent(
      language === 'en' ? 'Sync failed: amoCRM refused access (403).' : 'Синхронізація не вдалася.',
    );
    expect(foreignWords(language)).toEqual([]);
  });

  it('the callback route with amoCRM’s refusal', async () => {
    renderApp(makeServices(), '/amo-crm/callback?error=access_denied&state=st-1');
    await screen.findByTestId('callback-error');
    expect(foreignWords(language)).toEqual([]);
  });

  it('a word that is not in the glossary is caught', async () => {
    renderApp(makeServices({ api: makeFakeApi({ getStatus: jest.fn(async () => NOT_CONNECTED) }) }), '/crm');
    await screen.findByTestId('status-label');
    const patterns = sentencePatterns(language);
    expect(patterns.some((p) => p.test('Loading, please wait'))).toBe(false);
    expect(patterns.some((p) => p.test(MESSAGES[language]['crm.notConnected']))).toBe(true);
  });
});
