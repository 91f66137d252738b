import { act, fireEvent, render, screen, waitFor } from '@testing-library/react-native';
import { router } from 'expo-router';
import * as WebBrowser from 'expo-web-browser';

import { CrmScreen } from '../../app/crm';
import { ApiError } from '../../src/api/client';
import { CONNECTED, makeFakeApi, makeLead, makeServices, NOT_CONNECTED, page, Providers } from './helpers';

jest.mock('expo-router', () => ({ ...jest.requireActual('expo-router'), router: { push: jest.fn() } }));
jest.mock('expo-web-browser', () => ({
  openAuthSessionAsync: jest.fn(),
  openBrowserAsync: jest.fn(),
  maybeCompleteAuthSession: jest.fn(),
}));

const openAuthSessionAsync = WebBrowser.openAuthSessionAsync as jest.Mock;
const openBrowserAsync = WebBrowser.openBrowserAsync as jest.Mock;

beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  openAuthSessionAsync.mockReset();
});
afterEach(() => jest.restoreAllMocks());

function renderCrm(services = makeServices()) {
  render(
    <Providers services={services}>
      <CrmScreen />
    </Providers>,
  );
  return services;
}

describe('CRM screen: status', () => {
  it('not connected → «Не підключено» and «Підключити AMO CRM», no leads request', async () => {
    const services = renderCrm();
    expect(await screen.findByText('Не підключено')).toBeTruthy();
    expect(screen.getByText('Підключити AMO CRM')).toBeTruthy();
    expect(screen.queryByText('Відключити AMO CRM')).toBeNull();
    expect(services.api.listLeads).not.toHaveBeenCalled();
  });

  it('connected → «Підключено» with domain and accountId, leads loaded', async () => {
    const api = makeFakeApi({ getStatus: jest.fn(async () => CONNECTED), listLeads: jest.fn(async () => page([makeLead(1)])) });
    renderCrm(makeServices({ api }));
    expect(await screen.findByText('Підключено')).toBeTruthy();
    expect(screen.getByTestId('status-domain')).toHaveTextContent('Домен: reforyou.amocrm.ru');
    expect(screen.getByTestId('status-account')).toHaveTextContent('ID акаунта: 31920194');
    expect(await screen.findByText('Угода 1')).toBeTruthy();
    expect(screen.getByText('Відключити AMO CRM')).toBeTruthy();
    expect(screen.queryByText('Підключити AMO CRM')).toBeNull();
    expect(console.log).toHaveBeenCalledWith('[foryoure] status updated', expect.objectContaining({ connected: true }));
    expect(console.log).toHaveBeenCalledWith('[foryoure] leads loaded', expect.objectContaining({ count: 1 }));
  });

  it('needs reconnect → why (refused refresh, when, which account) and «Підключити AMO CRM знову»', async () => {
    const ended = { reason: 'refresh_refused', at: '2026-11-27T08:05:00Z', domain: 'reforyou.amocrm.ru' };
    const api = makeFakeApi({ getStatus: jest.fn(async () => ({ ...CONNECTED, connected: false, needsReconnect: true, ended })) });
    renderCrm(makeServices({ api }));
    expect(await screen.findByTestId('status-ended')).toHaveTextContent(
      'AMO CRM (reforyou.amocrm.ru) перестав приймати це підключення 27.11.2026, 10:05. ' +
        'Завантажені раніше угоди видно, але вони не оновлюються. Підключіть AMO CRM знову.',
    );
    expect(screen.getByTestId('status-label')).toHaveTextContent('Підключення втрачено');
    expect(screen.getByTestId('connect-button')).toHaveTextContent('Підключити AMO CRM знову');
  });

  it('status error → message and retry', async () => {
    const getStatus = jest
      .fn()
      .mockRejectedValueOnce(new ApiError(500, 'SERVER_ERROR', 'boom'))
      .mockResolvedValueOnce(NOT_CONNECTED);
    renderCrm(makeServices({ api: makeFakeApi({ getStatus }) }));
    // An unknown code: the generic sentence with the code, never the server's English text.
    expect(await screen.findByTestId('status-error')).toHaveTextContent(
      'Не вдалося отримати статус AMO CRM. Щось пішло не так (SERVER_ERROR). Спробуйте ще раз.',
    );
    fireEvent.press(screen.getByTestId('status-retry'));
    expect(await screen.findByText('Не підключено')).toBeTruthy();
  });

  it('sync running → status polled until idle, then leads reload', async () => {
    jest.useFakeTimers();
    try {
      const running = { ...CONNECTED, sync: { state: 'running' as const, progress: 0.5, lastSyncedAt: null } };
      const getStatus = jest.fn().mockResolvedValueOnce(running).mockResolvedValueOnce(running).mockResolvedValue(CONNECTED);
      const listLeads = jest.fn(async () => page([makeLead(1)]));
      renderCrm(makeServices({ api: makeFakeApi({ getStatus, listLeads }) }));
      expect(await screen.findByTestId('sync-progress')).toHaveTextContent(/50%/);
      await act(async () => {
        jest.advanceTimersByTime(2100);
      });
      await act(async () => {
        jest.advanceTimersByTime(2100);
      });
      expect(await screen.findByTestId('sync-idle')).toBeTruthy();
      expect(getStatus).toHaveBeenCalledTimes(3);
      await waitFor(() => expect(listLeads).toHaveBeenCalledTimes(2));
    } finally {
      jest.useRealTimers();
    }
  });

  it('fresh connection before its first sync → pending, polled, leads load once synced', async () => {
    jest.useFakeTimers();
    try {
      const fresh = { ...CONNECTED, sync: { state: 'idle' as const, progress: 0, lastSyncedAt: null } };
      const getStatus = jest.fn().mockResolvedValueOnce(fresh).mockResolvedValue(CONNECTED);
      const listLeads = jest.fn().mockResolvedValueOnce(page([])).mockResolvedValue(page([makeLead(4)]));
      renderCrm(makeServices({ api: makeFakeApi({ getStatus, listLeads }) }));
      expect(await screen.findByTestId('sync-pending')).toBeTruthy();
      expect(await screen.findByTestId('leads-syncing')).toBeTruthy();
      await act(async () => {
        jest.advanceTimersByTime(2100);
      });
      expect(await screen.findByText('Угода 4')).toBeTruthy();
      expect(screen.getByTestId('sync-idle')).toBeTruthy();
    } finally {
      jest.useRealTimers();
    }
  });

  it('sync running → progress shown', async () => {
    const api = makeFakeApi({
      getStatus: jest.fn(async () => ({ ...CONNECTED, sync: { state: 'running' as const, progress: 0.4, lastSyncedAt: null } })),
    });
    renderCrm(makeServices({ api }));
    expect(await screen.findByTestId('sync-progress')).toHaveTextContent(/40%/);
  });
});

describe('CRM screen: connect', () => {
  it('«Підключити AMO CRM» → openAuthSessionAsync(url, foryoure://amo-crm/callback) → exchange-code → «Підключено» + leads', async () => {
    const getStatus = jest.fn().mockResolvedValueOnce(NOT_CONNECTED).mockResolvedValue(CONNECTED);
    const api = makeFakeApi({ getStatus, listLeads: jest.fn(async () => page([makeLead(5)])) });
    let finish!: (v: { type: string; url: string }) => void;
    openAuthSessionAsync.mockReturnValue(new Promise((r) => (finish = r)));
    const services = makeServices({ api, browser: WebBrowser });
    renderCrm(services);

    fireEvent.press(await screen.findByText('Підключити AMO CRM'));
    await waitFor(() => expect(openAuthSessionAsync).toHaveBeenCalledTimes(1));
    expect(openAuthSessionAsync).toHaveBeenCalledWith(expect.stringContaining('/oauth?client_id='), 'foryoure://amo-crm/callback');
    expect(openBrowserAsync).not.toHaveBeenCalled();
    expect(api.getAuthUrl).toHaveBeenCalledWith(expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), 'mobile');

    let exchangeDone!: (v: typeof CONNECTED) => void;
    api.exchangeCode.mockReturnValue(new Promise((r) => (exchangeDone = r)));
    await act(async () => finish({ type: 'success', url: 'foryoure://amo-crm/callback?code=c1&state=st-1' }));
    expect(await screen.findByTestId('callback-processing')).toBeTruthy();
    expect(api.exchangeCode).toHaveBeenCalledWith({ code: 'c1', state: 'st-1', appVerifier: expect.any(String) });

    await act(async () => exchangeDone(CONNECTED));
    expect(await screen.findByText('Підключено')).toBeTruthy();
    expect(await screen.findByText('Угода 5')).toBeTruthy();
    expect(screen.getByTestId('status-account')).toHaveTextContent(/31920194/);
  });

  it('error= link → explanation and a retry button', async () => {
    openAuthSessionAsync.mockResolvedValue({ type: 'success', url: 'foryoure://amo-crm/callback?error=access_denied&state=st-1' });
    const services = makeServices({ browser: WebBrowser });
    renderCrm(services);
    fireEvent.press(await screen.findByText('Підключити AMO CRM'));
    expect(await screen.findByTestId('connect-error')).toHaveTextContent(/Ви відмовили в доступі/);
    expect(services.api.exchangeCode).not.toHaveBeenCalled();
    fireEvent.press(screen.getByText('Спробувати ще раз'));
    await waitFor(() => expect(openAuthSessionAsync).toHaveBeenCalledTimes(2));
  });

  it('wrong state in the returned URL → rejected without exchange', async () => {
    openAuthSessionAsync.mockResolvedValue({ type: 'success', url: 'foryoure://amo-crm/callback?code=c&state=someone-else' });
    const services = makeServices({ browser: WebBrowser });
    renderCrm(services);
    fireEvent.press(await screen.findByText('Підключити AMO CRM'));
    expect(await screen.findByTestId('connect-error')).toHaveTextContent(/не відповідає/);
    expect(services.api.exchangeCode).not.toHaveBeenCalled();
  });

  it('Android dismiss, then the deep link arrives via the callback route → connected, one exchange', async () => {
    const getStatus = jest.fn().mockResolvedValueOnce(NOT_CONNECTED).mockResolvedValue(NOT_CONNECTED);
    const api = makeFakeApi({ getStatus });
    openAuthSessionAsync.mockResolvedValue({ type: 'dismiss' });
    const services = makeServices({ api, browser: WebBrowser });
    renderCrm(services);
    fireEvent.press(await screen.findByText('Підключити AMO CRM'));
    expect(await screen.findByTestId('connect-error')).toHaveTextContent(/не завершено/);
    getStatus.mockResolvedValue(CONNECTED);
    await act(async () => {
      await Promise.all([
        services.completion.complete({ code: 'c1', state: 'st-1' }, 'deep-link'),
        services.completion.complete({ code: 'c1', state: 'st-1' }, 'deep-link'),
      ]);
    });
    expect(await screen.findByText('Підключено')).toBeTruthy();
    expect(screen.queryByTestId('connect-error')).toBeNull();
    expect(api.exchangeCode).toHaveBeenCalledTimes(1);
  });

  it('auth-url failure → message', async () => {
    const api = makeFakeApi({ getAuthUrl: jest.fn().mockRejectedValue(new ApiError(503, 'AMO_NOT_CONFIGURED', 'not configured')) });
    renderCrm(makeServices({ api, browser: WebBrowser }));
    fireEvent.press(await screen.findByText('Підключити AMO CRM'));
    expect(await screen.findByTestId('connect-error')).toHaveTextContent('Не вдалося почати підключення. Щось пішло не так (AMO_NOT_CONFIGURED). Спробуйте ще раз.');
    expect(openAuthSessionAsync).not.toHaveBeenCalled();
  });
});

describe('CRM screen: leads', () => {
  const connectedApi = (listLeads: jest.Mock) => makeFakeApi({ getStatus: jest.fn(async () => CONNECTED), listLeads });

  it('empty state', async () => {
    renderCrm(makeServices({ api: connectedApi(jest.fn(async () => page([]))) }));
    expect(await screen.findByTestId('leads-empty')).toHaveTextContent('У цьому акаунті ще немає угод.');
  });

  it('empty after filtering → says so and points at the filters', async () => {
    const listLeads = jest.fn().mockResolvedValueOnce(page([makeLead(1)])).mockResolvedValue(page([]));
    renderCrm(makeServices({ api: connectedApi(listLeads) }));
    expect(await screen.findByText('Угода 1')).toBeTruthy();
    fireEvent.changeText(screen.getByTestId('filter-query'), 'нічого');
    fireEvent.press(screen.getByTestId('filters-apply'));
    expect(await screen.findByTestId('leads-empty')).toHaveTextContent('Угод не знайдено. Змініть фільтри або скиньте їх.');
    expect(screen.getByTestId('filters-toggle')).toHaveTextContent('Фільтри (1)');
  });

  it('error state with retry', async () => {
    const listLeads = jest
      .fn()
      .mockRejectedValueOnce(new ApiError(502, 'AMOCRM_UNAVAILABLE', 'amoCRM down'))
      .mockResolvedValueOnce(page([makeLead(3)]));
    renderCrm(makeServices({ api: connectedApi(listLeads) }));
    expect(await screen.findByTestId('leads-error')).toHaveTextContent(
      'Не вдалося завантажити угоди. AMO CRM зараз не відповідає. Спробуйте трохи пізніше.',
    );
    fireEvent.press(screen.getByTestId('leads-retry'));
    expect(await screen.findByText('Угода 3')).toBeTruthy();
  });

  it('list, infinite scroll (page/hasMore) and tapping a lead opens its details', async () => {
    const listLeads = jest
      .fn()
      .mockResolvedValueOnce(page([makeLead(1), makeLead(2)], { total: 3, hasMore: true }))
      .mockResolvedValueOnce(page([makeLead(3)], { page: 2, total: 3, hasMore: false }));
    const services = renderCrm(makeServices({ api: connectedApi(listLeads) }));
    expect(await screen.findByText('Угода 2')).toBeTruthy();
    expect(screen.getByTestId('leads-total')).toHaveTextContent('Знайдено: 3');

    fireEvent(screen.getByTestId('leads-list'), 'onEndReached');
    expect(await screen.findByText('Угода 3')).toBeTruthy();
    expect(listLeads).toHaveBeenLastCalledWith(expect.objectContaining({ page: 2 }));
    fireEvent(screen.getByTestId('leads-list'), 'onEndReached');
    expect(listLeads).toHaveBeenCalledTimes(2);

    fireEvent.press(screen.getByTestId('lead-row-2'));
    expect(router.push).toHaveBeenCalledWith({ pathname: '/lead/[id]', params: { id: '2' } });
    expect(services.openExternal).not.toHaveBeenCalled();
  });

  it('pull-to-refresh reloads page 1', async () => {
    const listLeads = jest.fn(async () => page([makeLead(1)]));
    renderCrm(makeServices({ api: connectedApi(listLeads) }));
    expect(await screen.findByText('Угода 1')).toBeTruthy();
    await act(async () => {
      screen.getByTestId('leads-list').props.onRefresh();
    });
    await waitFor(() => expect(listLeads).toHaveBeenCalledTimes(2));
    expect(listLeads).toHaveBeenLastCalledWith(expect.objectContaining({ page: 1 }));
  });

  it('filters: text, pipeline → status, responsible, tag, budget, created and updated days', async () => {
    const listLeads = jest.fn(async () => page([makeLead(1)]));
    const services = renderCrm(makeServices({ api: connectedApi(listLeads) }));
    expect(await screen.findByText('Угода 1')).toBeTruthy();
    await waitFor(() => expect(services.api.getPipelines).toHaveBeenCalled());

    fireEvent.changeText(screen.getByTestId('filter-query'), 'вілла');
    fireEvent.press(screen.getByTestId('filters-toggle'));
    fireEvent.press(await screen.findByTestId('filter-pipeline-1'));
    fireEvent.press(await screen.findByTestId('filter-status-11'));
    fireEvent.press(screen.getByTestId('filter-user-8'));
    fireEvent.changeText(screen.getByTestId('filter-price-from'), '1000');
    fireEvent.changeText(screen.getByTestId('filter-price-to'), '5000');
    fireEvent.changeText(screen.getByTestId('filter-created-from'), '2026-01-01');
    fireEvent.changeText(screen.getByTestId('filter-created-to'), '2026-11-30');
    fireEvent.changeText(screen.getByTestId('filter-tag'), 'море');
    fireEvent.changeText(screen.getByTestId('filter-updated-from'), '2026-07-01');
    fireEvent.press(screen.getByTestId('filters-apply'));

    await waitFor(() =>
      expect(listLeads).toHaveBeenLastCalledWith({
        page: 1,
        limit: 25,
        sort: '-createdAt',
        query: 'вілла',
        pipelineId: 1,
        statusId: [11],
        responsibleUserId: [8],
        priceFrom: 1000,
        priceTo: 5000,
        tag: 'море',
        // Local days (the unit tests run in Europe/Kyiv), as the web screen sends them.
        createdFrom: '2025-12-31T22:00:00.000Z',
        createdTo: '2026-11-30T21:59:59.999Z',
        updatedFrom: '2026-06-30T21:00:00.000Z',
      }),
    );

    fireEvent.changeText(screen.getByTestId('filter-price-from'), 'abc');
    const calls = listLeads.mock.calls.length;
    fireEvent.press(screen.getByTestId('filters-apply'));
    expect(await screen.findByText('Бюджет від: лише ціле число.')).toBeTruthy();
    expect(listLeads).toHaveBeenCalledTimes(calls);

    fireEvent.press(screen.getByTestId('filters-reset'));
    await waitFor(() => expect(listLeads).toHaveBeenLastCalledWith({ page: 1, limit: 25, sort: '-createdAt' }));
  });
});

describe('CRM screen: sorting', () => {
  it('a sort applies at once from page 1, keeps the filters, and survives a filter change and reset', async () => {
    const listLeads = jest.fn(async () => page([makeLead(1), makeLead(2)], { total: 30, hasMore: true }));
    renderCrm(makeServices({ api: makeFakeApi({ getStatus: jest.fn(async () => CONNECTED), listLeads }) }));
    expect(await screen.findByText('Угода 1')).toBeTruthy();
    expect(listLeads).toHaveBeenLastCalledWith({ page: 1, limit: 25, sort: '-createdAt' });
    expect(screen.getByTestId('sort-current')).toHaveTextContent(/Спочатку нові/);

    fireEvent.changeText(screen.getByTestId('filter-query'), 'вілла');
    fireEvent.press(screen.getByTestId('filters-apply'));
    await waitFor(() => expect(listLeads).toHaveBeenLastCalledWith({ page: 1, limit: 25, sort: '-createdAt', query: 'вілла' }));

    fireEvent.press(screen.getByTestId('sort-toggle'));
    fireEvent.press(screen.getByTestId('sort-option--price'));
    await waitFor(() => expect(listLeads).toHaveBeenLastCalledWith({ page: 1, limit: 25, sort: '-price', query: 'вілла' }));
    expect(screen.getByTestId('sort-current')).toHaveTextContent(/Бюджет: більший спочатку/);
    expect(screen.queryByTestId('sort-option-price')).toBeNull();

    await screen.findByText('Угода 2');
    fireEvent(screen.getByTestId('leads-list'), 'onEndReached');
    await waitFor(() => expect(listLeads).toHaveBeenLastCalledWith({ page: 2, limit: 25, sort: '-price', query: 'вілла' }));

    fireEvent.press(screen.getByTestId('filters-reset'));
    await waitFor(() => expect(listLeads).toHaveBeenLastCalledWith({ page: 1, limit: 25, sort: '-price' }));
  });
});

describe('CRM screen: lead rows', () => {
  it('show the main contact and the budget grouped the Ukrainian way', async () => {
    const lead = makeLead(9, { price: 1250000, contacts: [{ id: 1, name: 'Марія Коваль' }, { id: 2, name: 'Іван' }] });
    const listLeads = jest.fn(async () => page([lead, makeLead(10)]));
    renderCrm(makeServices({ api: makeFakeApi({ getStatus: jest.fn(async () => CONNECTED), listLeads }) }));
    expect(await screen.findByTestId('lead-contact-9')).toHaveTextContent('Контакт: Марія Коваль (+1)');
    expect(screen.getByTestId('lead-price-9')).toHaveTextContent('1\u00a0250\u00a0000');
    expect(screen.queryByTestId('lead-contact-10')).toBeNull();
  });
});

describe('CRM screen: disconnect', () => {
  it('«Відключити AMO CRM» asks for confirmation, then POST disconnect → «Не підключено»', async () => {
    const api = makeFakeApi({ getStatus: jest.fn(async () => CONNECTED) });
    renderCrm(makeServices({ api }));
    fireEvent.press(await screen.findByText('Відключити AMO CRM'));
    expect(screen.getByTestId('disconnect-confirm')).toBeTruthy();
    fireEvent.press(screen.getByText('Скасувати'));
    expect(api.disconnect).not.toHaveBeenCalled();

    fireEvent.press(screen.getByText('Відключити AMO CRM'));
    expect(screen.getByTestId('disconnect-confirm')).toHaveTextContent(/Відключити AMO CRM\?/);
    fireEvent.press(screen.getByText('Відключити'));
    expect(await screen.findByText('Не підключено')).toBeTruthy();
    expect(api.disconnect).toHaveBeenCalledTimes(1);
    expect(screen.getByText('Підключити AMO CRM')).toBeTruthy();
  });
});
