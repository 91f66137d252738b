/**
 * The checklist's whole mobile flow against a real `foryou-crm demo` server, through the app's
 * own modules (src/services → src/api, src/amocrm/connect + completion) on Node's fetch.
 * The system browser is replaced by an HTTP driver of the sandbox consent pages; it returns the
 * `foryoure://amo-crm/callback?...` link exactly as the auth session would.
 */
import { createHash, randomBytes } from 'crypto';

import type { Lead, LeadSort } from '../../src/api/types';
import { CALLBACK_URL, parseCallbackUrl } from '../../src/amocrm/callbackUrl';
import { connectAmoCrm, type AuthBrowser } from '../../src/amocrm/connect';
import type { PkceDeps } from '../../src/amocrm/pkce';
import { mainContact } from '../../src/leads/contacts';
import { mailtoUrl, telUrl } from '../../src/leads/links';
import { EMPTY_FILTERS, toLeadsQuery, type LeadFilters } from '../../src/leads/filters';
import { createCoreServices } from '../../src/services';
import { findLinkById, parseForm } from './html';
import { startDemoServer, type DemoServer } from './server';

const DEMO_USER = { email: 'demo@foryou-realestate.com', password: 'demo-password' };
const AMO_LOGIN = { login: 'amo-admin@reforyou.example', password: 'amo-password' };

const nodePkce: PkceDeps = {
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
  sha256: async (data) => new Uint8Array(createHash('sha256').update(data).digest()),
};

/** A cookie-keeping, non-redirect-following HTTP "browser" for the sandbox consent pages. */
class ConsentDriver implements AuthBrowser {
  readonly cookies = new Map<string, string>();
  readonly visited: string[] = [];
  constructor(private readonly decision: 'allow' | 'deny' = 'allow') {}

  private async request(url: string, init: RequestInit = {}): Promise<Response> {
    this.visited.push(`${init.method ?? 'GET'} ${url}`);
    const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
    if (this.cookies.size) headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const raw of res.headers.getSetCookie()) {
      const pair = raw.split(';')[0];
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!value || /max-age=0/i.test(raw) || /expires=Thu, 01 Jan 1970/i.test(raw)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** GET, following http(s) redirects; stops at a non-http Location (the app scheme). */
  private async get(url: string): Promise<{ url: string; res: Response }> {
    let current = url;
    for (let hops = 0; hops < 10; hops++) {
      const res = await this.request(current);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        const next = new URL(location, current).toString();
        if (!/^https?:/.test(next)) return { url: next, res };
        current = next;
        continue;
      }
      return { url: current, res };
    }
    throw new Error('too many redirects');
  }

  private async submit(pageUrl: string, html: string, extra: Record<string, string>): Promise<Response> {
    const form = parseForm(html);
    expect(form.method).toBe('post');
    const body = new URLSearchParams({ ...form.fields, ...extra });
    return this.request(new URL(form.action, pageUrl).toString(), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
  }

  async openAuthSessionAsync(authUrl: string, redirectUrl?: string | null) {
    expect(redirectUrl).toBe(CALLBACK_URL);
    // Checklist step 2: the authorize URL carries client_id and state.
    const u = new URL(authUrl);
    expect(u.searchParams.get('client_id')).toBeTruthy();
    expect(u.searchParams.get('state')).toBeTruthy();

    // Sign-in form at the sandbox.
    let page = await this.get(authUrl);
    expect(page.res.status).toBe(200);
    let html = await page.res.text();
    const loginForm = parseForm(html);
    expect(Object.keys(loginForm.fields)).toEqual(expect.arrayContaining(['login', 'password']));
    const loggedIn = await this.submit(page.url, html, AMO_LOGIN);
    expect([302, 303]).toContain(loggedIn.status);

    // Consent page with «РАЗРЕШИТЬ».
    page = await this.get(new URL(loggedIn.headers.get('location')!, page.url).toString());
    expect(page.res.status).toBe(200);
    html = await page.res.text();
    expect(html).toContain('РАЗРЕШИТЬ');
    const button = parseForm(html).buttons.find((b) => b.id === (this.decision === 'allow' ? 'allow' : 'decline'));
    expect(button).toBeDefined();
    const consented = await this.submit(page.url, html, { [button!.name]: button!.value });
    expect(consented.status).toBe(302);
    const callbackUrl = new URL(consented.headers.get('location')!, page.url).toString();
    expect(new URL(callbackUrl).pathname).toBe('/api/amo-crm/callback');

    // Our backend's hand-over page: 200 HTML, "Redirecting to app...", link to the app scheme.
    const handOver = await this.request(callbackUrl);
    expect(handOver.status).toBe(200);
    expect(handOver.headers.get('content-type')).toMatch(/text\/html/);
    const handOverHtml = await handOver.text();
    if (this.decision === 'allow') expect(handOverHtml).toContain('Redirecting to app...');
    const target = findLinkById(handOverHtml, 'open-app');
    expect(target).toMatch(/^foryoure:\/\/amo-crm\/callback\?/);
    return { type: 'success', url: target! };
  }
}

/** A lead's day in this machine's time zone, as a user would type it into a date filter. */
function localDay(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function isOrdered(values: number[], descending: boolean): boolean {
  return values.every((v, i) => i === 0 || (descending ? values[i - 1] >= v : values[i - 1] <= v));
}

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined>, timeoutMs = 60000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== null && v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

describe('amoCRM connect flow against foryou-crm demo', () => {
  let server: DemoServer;
  let app: ReturnType<typeof createCoreServices>;
  const unauthorized = jest.fn();
  const logs: string[] = [];

  beforeAll(async () => {
    server = await startDemoServer();
    app = createCoreServices({ baseUrl: server.baseUrl, fetch: (input, init) => fetch(input, init) });
    app.tokens.onUnauthorized(unauthorized);
    jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logs.push(String(args[0])));
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await server?.stop();
  });

  it('1. signs in with the app account (JWT)', async () => {
    const meta = await app.api.meta();
    expect(meta.demo).toBe(true);
    const login = await app.api.login(DEMO_USER.email, DEMO_USER.password);
    expect(login.tokenType).toBe('Bearer');
    app.tokens.set(login.accessToken);
    await expect(app.api.me()).resolves.toMatchObject({ email: DEMO_USER.email });
  });

  it('wrong password → typed INVALID_CREDENTIALS, not a session expiry', async () => {
    await expect(app.api.login(DEMO_USER.email, 'wrong')).rejects.toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS' });
    expect(unauthorized).not.toHaveBeenCalled();
  });

  it('initial state: «Не підключено» (connected: false), leads → 409 AMO_NOT_CONNECTED', async () => {
    const status = await app.api.getStatus();
    expect(status).toMatchObject({ connected: false, hasTokens: false, domain: null, accountId: null });
    await expect(app.api.listLeads({ page: 1 })).rejects.toMatchObject({ status: 409, code: 'AMO_NOT_CONNECTED' });
  });

  it('a declined consent comes back as an error= link, explained, nothing exchanged', async () => {
    const driver = new ConsentDriver('deny');
    const outcome = await connectAmoCrm({ api: app.api, completion: app.completion, browser: driver, pkce: nodePkce });
    expect(outcome.kind).toBe('completed');
    if (outcome.kind !== 'completed') return;
    expect(outcome.result).toMatchObject({ ok: false, reason: 'error_link', error: 'access_denied' });
    await expect(app.api.getStatus()).resolves.toMatchObject({ connected: false });
  });

  it('2–6. connect: auth-url → consent → hand-over page → deep link → exchange-code → «Підключено»', async () => {
    const driver = new ConsentDriver('allow');
    let handOverUrl = '';
    const browser: AuthBrowser = {
      openAuthSessionAsync: async (url, redirect) => {
        const r = await driver.openAuthSessionAsync(url, redirect);
        handOverUrl = r.url;
        return r;
      },
    };
    const exchangeSpy = jest.spyOn(app.api, 'exchangeCode');
    const outcome = await connectAmoCrm({ api: app.api, completion: app.completion, browser, pkce: nodePkce });
    expect(outcome.kind).toBe('completed');
    if (outcome.kind !== 'completed') return;
    if (!outcome.result.ok) throw new Error(`completion failed: ${JSON.stringify(outcome.result)}`);
    expect(outcome.result.status).toMatchObject({ connected: true, domain: 'reforyou.amocrm.ru', accountId: '31920194' });

    // Android: the same link also reaches the amo-crm/callback route → same completion, no new request.
    const parsed = parseCallbackUrl(handOverUrl);
    expect(parsed.kind).toBe('code');
    const again = await app.completion.complete(handOverUrl, 'deep-link');
    expect(again).toBe(outcome.result);
    expect(exchangeSpy).toHaveBeenCalledTimes(1);
    exchangeSpy.mockRestore();

    // The server is the source of truth.
    const status = await app.api.getStatus();
    expect(status).toMatchObject({ connected: true, hasTokens: true, domain: 'reforyou.amocrm.ru', accountId: '31920194' });
    expect(logs).toEqual(expect.arrayContaining(['[foryoure] deep link callback received', '[foryoure] exchange-code called']));
  });

  it('7. leads load after connecting, and a filter narrows them', async () => {
    // The first sync is a job: queued, then running (pages land in any order), then idle.
    // Everything below reads the whole mirror, so it waits for the sync to be over.
    const all = await waitFor('leads after the first sync', async () => {
      const page = await app.api.listLeads({ page: 1, limit: 50 });
      return page.total > 0 && page.sync?.state === 'idle' && page.sync.lastSyncedAt ? page : null;
    });
    expect(all.items.length).toBeGreaterThan(0);
    const lead: Lead = all.items[0];
    expect(lead.url).toMatch(/^https?:\/\//);

    const pipelines = await app.api.getPipelines();
    expect(pipelines.pipelines.length).toBeGreaterThan(0);

    // Paging: page 2 continues page 1.
    if (all.hasMore) {
      const p2 = await app.api.listLeads({ page: 2, limit: 50 });
      expect(p2.page).toBe(2);
      expect(p2.items.map((l) => l.id)).not.toContain(lead.id);
    }

    // Status filter (pipeline → status): every item has it, and there are fewer.
    const byStatus = await app.api.listLeads({ pipelineId: lead.pipelineId ?? undefined, statusId: [lead.statusId!], limit: 250 });
    expect(byStatus.items.length).toBeGreaterThan(0);
    expect(byStatus.items.every((l) => l.statusId === lead.statusId)).toBe(true);

    // Text filter on the exact name: narrows to the matching leads.
    const byText = await app.api.listLeads({ query: lead.name, limit: 250 });
    expect(byText.items.map((l) => l.id)).toContain(lead.id);
    expect(byText.total).toBeLessThan(all.total);

    // Price range around the lead's price.
    if (lead.price !== null) {
      const byPrice = await app.api.listLeads({ priceFrom: lead.price, priceTo: lead.price, limit: 250 });
      expect(byPrice.items.every((l) => l.price === lead.price)).toBe(true);
      expect(byPrice.items.map((l) => l.id)).toContain(lead.id);
    }
  });

  describe('7b. sorting and the other filters, through the app\'s own query mapping', () => {
    /** Every page of a list, each request built by toLeadsQuery exactly as the screen builds it. */
    async function listAll(filters: Partial<LeadFilters>, sort: LeadSort): Promise<Lead[]> {
      const items: Lead[] = [];
      for (let page = 1; ; page++) {
        const got = await app.api.listLeads(toLeadsQuery({ ...EMPTY_FILTERS, ...filters }, { page, sort, limit: 100 }));
        items.push(...got.items);
        if (!got.hasMore) return items;
      }
    }

    let all: Lead[] = [];
    beforeAll(async () => {
      all = await listAll({}, '-createdAt');
      expect(all.length).toBeGreaterThan(100); // several pages: the order must hold across them
    });

    it('sorting by budget orders every page both ways (ties by id)', async () => {
      const up = await listAll({}, 'price');
      const prices = up.map((l) => l.price as number);
      expect(new Set(prices).size).toBeGreaterThan(1); // otherwise the order proves nothing
      expect(isOrdered(prices, false)).toBe(true);
      expect(up.map((l) => l.id).sort()).toEqual(all.map((l) => l.id).sort());
      const down = await listAll({}, '-price');
      expect(down.map((l) => l.id)).toEqual(up.map((l) => l.id).reverse());
    });

    it.each<[LeadSort, 'createdAt' | 'updatedAt', boolean]>([
      ['-createdAt', 'createdAt', true],
      ['createdAt', 'createdAt', false],
      ['-updatedAt', 'updatedAt', true],
      ['updatedAt', 'updatedAt', false],
    ])('sort %s orders every page by %s', async (sort, field, descending) => {
      const times = (await listAll({}, sort)).map((l) => Date.parse(l[field] as string));
      expect(times).toHaveLength(all.length);
      expect(new Set(times).size).toBeGreaterThan(1);
      expect(isOrdered(times, descending)).toBe(true);
    });

    it('a tag narrows to exactly the leads carrying it', async () => {
      const tag = all.find((l) => l.tags.length > 0)?.tags[0];
      if (!tag) throw new Error('the demo data has tagged leads');
      const got = await listAll({ tag }, '-price');
      const expected = all.filter((l) => l.tags.some((t) => t.toLowerCase() === tag.toLowerCase()));
      expect(got.map((l) => l.id).sort()).toEqual(expected.map((l) => l.id).sort());
      expect(got.length).toBeLessThan(all.length);
      expect(isOrdered(got.map((l) => l.price as number), true)).toBe(true);
    });

    it.each<['createdAt' | 'updatedAt', keyof LeadFilters, keyof LeadFilters]>([
      ['createdAt', 'createdFrom', 'createdTo'],
      ['updatedAt', 'updatedFrom', 'updatedTo'],
    ])('a one-day %s range holds exactly that Kyiv day’s leads', async (field, from, to) => {
      // A lead from the first hours of a Kyiv day, which in UTC is still the day before: a range
      // of UTC days (what the app sent before) would miss it.
      const early = all.find((l) => localDay(l[field] as string) !== new Date(l[field] as string).toISOString().slice(0, 10));
      if (!early) throw new Error(`no lead ${field} between 00:00 and 03:00 Kyiv time in the demo data`);
      const day = localDay(early[field] as string);
      const got = await listAll({ [from]: day, [to]: day }, '-createdAt');
      const expected = all.filter((l) => localDay(l[field] as string) === day);
      expect(got.map((l) => l.id)).toContain(early.id);
      expect(got.map((l) => l.id).sort()).toEqual(expected.map((l) => l.id).sort());
    });

    it('lead rows can name a contact: the API gives contact names once the sync resolved them', async () => {
      const named = await waitFor('a lead with a named contact', async () => (await listAll({}, '-createdAt')).find((l) => mainContact(l) !== null));
      expect(mainContact(named)?.name).toBe(named.contacts.find((c) => c.name?.trim())?.name?.trim());
    });

    it("a lead, whole: its contacts with phones and e-mails, company, open tasks, notes; rows in the account's currency", async () => {
      const status = await app.api.getStatus();
      expect(status.currency).toMatch(/^[A-Z]{3}$/);
      expect(all.every((l) => l.currency === status.currency)).toBe(true);
      const withContacts = all.filter((l) => l.contacts.length > 0).slice(0, 10);
      expect(withContacts.length).toBeGreaterThan(0);
      let phones = 0;
      let tasks = 0;
      let notes = 0;
      for (const row of withContacts) {
        const lead = await app.api.getLead(row.id);
        expect(lead.id).toBe(row.id);
        expect(lead.name).toBe(row.name);
        expect(lead.contacts.map((c) => c.id)).toEqual(row.contacts.map((c) => c.id));
        expect(lead.contacts[0].isMain).toBe(true);
        for (const contact of lead.contacts) {
          for (const phone of contact.phones) {
            expect(telUrl(phone.value)).toMatch(/^tel:\+?\d{9,}$/);
            phones += 1;
          }
          for (const email of contact.emails) expect(mailtoUrl(email.value)).toMatch(/^mailto:.+@.+/);
        }
        const due = lead.tasks.map((t) => t.completeTill);
        expect(due).toEqual([...due].sort());
        const created = lead.notes.map((n) => n.createdAt);
        expect(created).toEqual([...created].sort().reverse());
        expect(lead.notes.length).toBeLessThanOrEqual(20);
        tasks += lead.tasks.length;
        notes += lead.notes.length;
      }
      expect(phones).toBeGreaterThan(0);
      expect(notes).toBeGreaterThan(0);
      expect(tasks).toBeGreaterThanOrEqual(0);
    });

    it('a lead field narrows the list to leads with that value', async () => {
      const { fields } = await app.api.getCustomFields();
      expect(fields.length).toBeGreaterThan(0);
      const field = fields[0];
      const choice = field.enums[0];
      const narrowed = await listAll({ customFields: { [field.id]: choice.id } }, '-createdAt');
      expect(narrowed.length).toBeGreaterThan(0);
      expect(narrowed.length).toBeLessThan(all.length);
      for (const row of narrowed.slice(0, 5)) {
        const lead = await app.api.getLead(row.id);
        const values = lead.customFields.find((f) => f.id === field.id)?.values ?? [];
        expect(values.map((v) => v.enumId)).toContain(choice.id);
      }
    });

    it('a lead the agent does not have → 404 LEAD_NOT_FOUND', async () => {
      await expect(app.api.getLead(999999999)).rejects.toMatchObject({ status: 404, code: 'LEAD_NOT_FOUND' });
    });
  });

  it('8. disconnect → «Не підключено», leads no longer available', async () => {
    const status = await app.api.disconnect();
    expect(status).toMatchObject({ connected: false, hasTokens: false, domain: null, accountId: null });
    await expect(app.api.getStatus()).resolves.toMatchObject({ connected: false });
    await expect(app.api.listLeads({ page: 1 })).rejects.toMatchObject({ status: 409, code: 'AMO_NOT_CONNECTED' });
    // idempotent
    await expect(app.api.disconnect()).resolves.toMatchObject({ connected: false });
  });

  it('401 with a bad JWT → UNAUTHORIZED, and the app is told to go back to sign-in', async () => {
    app.tokens.set('not-a-jwt');
    await expect(app.api.getStatus()).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(unauthorized).toHaveBeenCalledTimes(1);
    expect(app.tokens.get()).toBeNull();
  });
});
