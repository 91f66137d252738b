import { Redirect } from 'expo-router';
import { useCallback, useEffect, useRef, useState, type ReactElement } from 'react';
import { ActivityIndicator, FlatList, Platform, Text, View } from 'react-native';

import { ApiError } from '../src/api/client';
import type { AmoStatus, Lead, PipelinesResult } from '../src/api/types';
import type { CompletionResult } from '../src/amocrm/completion';
import { connectAmoCrm, webReturnTo } from '../src/amocrm/connect';
import { useSession } from '../src/auth/session';
import { EMPTY_FILTERS, type LeadFilters } from '../src/leads/filters';
import { useLeads } from '../src/leads/useLeads';
import { LOG, log } from '../src/log';
import { useServices } from '../src/services';
import { CallbackProcessing } from '../src/ui/CallbackProcessing';
import { Button, Card, colors, Notice, styles } from '../src/ui/components';
import { LeadFiltersPanel } from '../src/ui/LeadFiltersPanel';
import { LeadRow } from '../src/ui/LeadRow';
import { SyncProgress } from '../src/ui/SyncProgress';

type ConnectPhase =
  | { kind: 'idle' }
  | { kind: 'browser' }
  | { kind: 'processing' }
  | { kind: 'failed'; message: string };

const SYNC_POLL_MS = 2000;
const MAX_SYNC_POLLS = 150; // 5 minutes

/** A sync is running, or a fresh connection has not finished its first sync yet. */
export function isSyncBusy(status: AmoStatus | null): boolean {
  if (!status?.connected) return false;
  const sync = status.sync;
  if (!sync) return true;
  if (sync.state === 'running') return true;
  return sync.state === 'idle' && !sync.lastSyncedAt;
}

function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'NETWORK_ERROR') return 'Немає з’єднання з сервером.';
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export default function CrmRoute() {
  const session = useSession();
  if (session.status === 'loading') {
    return (
      <View style={[styles.screen, { justifyContent: 'center' }]}>
        <ActivityIndicator />
      </View>
    );
  }
  if (session.status === 'signedOut') return <Redirect href="/sign-in" />;
  return <CrmScreen />;
}

export function CrmScreen() {
  const services = useServices();
  const { api, completion } = services;
  const session = useSession();

  const [status, setStatus] = useState<AmoStatus | null>(null);
  const [statusError, setStatusError] = useState<string | null>(null);
  const [connect, setConnect] = useState<ConnectPhase>({ kind: 'idle' });
  const [confirmDisconnect, setConfirmDisconnect] = useState(false);
  const [disconnecting, setDisconnecting] = useState(false);
  const [disconnectError, setDisconnectError] = useState<string | null>(null);
  const [filters, setFilters] = useState<LeadFilters>(EMPTY_FILTERS);
  const [pipelines, setPipelines] = useState<PipelinesResult | null>(null);
  const [leadsReload, setLeadsReload] = useState(0);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const applyStatus = useCallback((next: AmoStatus) => {
    if (!mounted.current) return;
    setStatus(next);
    setStatusError(null);
    log(LOG.statusUpdated, { connected: next.connected, domain: next.domain, accountId: next.accountId });
  }, []);

  const loadStatus = useCallback(async () => {
    try {
      applyStatus(await api.getStatus());
    } catch (error) {
      if (mounted.current && !(error instanceof ApiError && error.status === 401)) setStatusError(describeError(error));
    }
  }, [api, applyStatus]);

  useEffect(() => {
    void loadStatus();
  }, [loadStatus]);

  // Every completion (auth-session success here, or the amo-crm/callback route) lands here.
  useEffect(
    () =>
      completion.subscribe((result: CompletionResult) => {
        if (!mounted.current) return;
        if (result.ok) {
          applyStatus(result.status);
          setConnect({ kind: 'idle' });
          setLeadsReload((n) => n + 1);
          void loadStatus();
        } else {
          setConnect({ kind: 'failed', message: result.message });
        }
      }),
    [completion, applyStatus, loadStatus],
  );

  const connected = !!status?.connected;
  const leads = useLeads(api, filters, connected, leadsReload);

  useEffect(() => {
    if (!connected) {
      setPipelines(null);
      return;
    }
    let cancelled = false;
    api.getPipelines().then(
      (p) => !cancelled && setPipelines(p),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
    // Re-read after each sync/connect (leadsReload): a fresh mirror may have had no pipelines yet.
  }, [api, connected, leadsReload]);

  // Sync progress: poll the status while a sync runs — or, right after connecting, until the
  // first sync has happened (the backend may not have started it yet) — and reload leads after.
  const syncRunning = isSyncBusy(status);
  const wasRunning = useRef(false);
  useEffect(() => {
    if (wasRunning.current && !syncRunning) setLeadsReload((n) => n + 1);
    wasRunning.current = syncRunning;
    if (!syncRunning) return;
    let polls = 0;
    const timer = setInterval(() => {
      if (++polls > MAX_SYNC_POLLS) clearInterval(timer);
      else void loadStatus();
    }, SYNC_POLL_MS);
    return () => clearInterval(timer);
  }, [syncRunning, loadStatus]);

  // A 409 AMO_NOT_CONNECTED from the leads endpoint means our status is stale.
  useEffect(() => {
    if (leads.error?.code === 'AMO_NOT_CONNECTED') void loadStatus();
  }, [leads.error, loadStatus]);

  const startConnect = useCallback(async () => {
    setConnect({ kind: 'browser' });
    try {
      const outcome = await connectAmoCrm({
        api,
        completion,
        browser: services.browser,
        pkce: services.pkce,
        web: Platform.OS === 'web' ? { returnTo: webReturnTo() ?? '' } : undefined,
        onHandOver: () => mounted.current && setConnect({ kind: 'processing' }),
      });
      if (!mounted.current) return;
      if (outcome.kind === 'closed') {
        // Android may report `dismiss` although the link reached the amo-crm/callback route;
        // that route completes through the same function and the subscription updates us.
        if (completion.isProcessing) return;
        setConnect((c) =>
          c.kind === 'browser'
            ? { kind: 'failed', message: 'Підключення не завершено: вікно AMO CRM закрито. Спробуйте ще раз.' }
            : c,
        );
        void loadStatus();
      }
    } catch (error) {
      if (mounted.current && !(error instanceof ApiError && error.status === 401)) {
        setConnect({ kind: 'failed', message: `Не вдалося почати підключення: ${describeError(error)}` });
      }
    }
  }, [api, completion, services.browser, services.pkce, loadStatus]);

  const doDisconnect = useCallback(async () => {
    setDisconnecting(true);
    setDisconnectError(null);
    try {
      applyStatus(await api.disconnect());
      setConfirmDisconnect(false);
      setFilters(EMPTY_FILTERS);
    } catch (error) {
      if (mounted.current) setDisconnectError(describeError(error));
    } finally {
      if (mounted.current) setDisconnecting(false);
    }
  }, [api, applyStatus]);

  const startSync = useCallback(async () => {
    try {
      const sync = await api.startSync();
      setStatus((s) => (s ? { ...s, sync } : s));
    } catch {
      /* status polling shows failures */
    }
    void loadStatus();
  }, [api, loadStatus]);

  const openLead = useCallback(
    (lead: Lead) => {
      void services.openExternal(lead.url).catch(() => undefined);
    },
    [services],
  );

  if (connect.kind === 'processing') return <CallbackProcessing />;

  const busy = connect.kind === 'browser';
  const header = (
    <View style={styles.content}>
      <View style={[styles.row, { justifyContent: 'space-between' }]}>
        <Text style={styles.title}>AMO CRM</Text>
        <Button title="Вийти" variant="secondary" testID="sign-out" onPress={() => void session.signOut()} />
      </View>
      {session.user ? <Text style={styles.muted}>{session.user.email}</Text> : null}

      <Card testID="amo-status">
        {status === null && !statusError ? <ActivityIndicator testID="status-loading" /> : null}
        {statusError ? (
          <>
            <Notice kind="error" testID="status-error">{`Не вдалося отримати статус: ${statusError}`}</Notice>
            <Button title="Спробувати ще раз" variant="secondary" testID="status-retry" onPress={() => void loadStatus()} />
          </>
        ) : null}
        {status ? (
          <>
            <Text testID="status-label" style={[styles.subtitle, { color: status.connected ? colors.ok : colors.muted }]}>
              {status.connected ? 'Підключено' : 'Не підключено'}
            </Text>
            {status.connected ? (
              <>
                <Text testID="status-domain" style={styles.text}>{`Домен: ${status.domain ?? '—'}`}</Text>
                <Text testID="status-account" style={styles.text}>{`ID акаунта: ${status.accountId ?? '—'}`}</Text>
                {status.accountName ? <Text style={styles.muted}>{status.accountName}</Text> : null}
              </>
            ) : null}
            {status.needsReconnect ? (
              <Notice kind="warn" testID="needs-reconnect">
                Доступ до AMO CRM втрачено. Підключіть AMO CRM повторно.
              </Notice>
            ) : null}
            {status.connected ? <SyncProgress sync={status.sync} busy={syncRunning} /> : null}
          </>
        ) : null}
      </Card>

      {connect.kind === 'failed' ? (
        <Notice kind="error" testID="connect-error">
          {connect.message}
        </Notice>
      ) : null}

      {status && (!status.connected || status.needsReconnect) ? (
        <Button
          title={connect.kind === 'failed' ? 'Спробувати ще раз' : 'Підключити AMO CRM'}
          testID="connect-button"
          busy={busy}
          onPress={() => void startConnect()}
        />
      ) : null}

      {status?.connected ? (
        confirmDisconnect ? (
          <Card testID="disconnect-confirm">
            <Text style={styles.text}>Відключити AMO CRM? Угоди перестануть синхронізуватися, токени буде видалено.</Text>
            {disconnectError ? <Notice kind="error">{disconnectError}</Notice> : null}
            <View style={styles.row}>
              <Button title="Так, відключити" variant="danger" testID="disconnect-confirm-yes" busy={disconnecting} onPress={() => void doDisconnect()} />
              <Button title="Скасувати" variant="secondary" testID="disconnect-confirm-no" onPress={() => setConfirmDisconnect(false)} />
            </View>
          </Card>
        ) : (
          <View style={styles.row}>
            <Button title="Оновити з AMO CRM" variant="secondary" testID="sync-button" disabled={syncRunning} onPress={() => void startSync()} />
            <Button title="Відключити AMO CRM" variant="danger" testID="disconnect-button" onPress={() => setConfirmDisconnect(true)} />
          </View>
        )
      ) : null}

      {status?.connected ? (
        <>
          <LeadFiltersPanel value={filters} pipelines={pipelines} onApply={setFilters} />
          {leads.phase === 'ready' ? <Text testID="leads-total" style={styles.muted}>{`Угод: ${leads.total}`}</Text> : null}
          {leads.error && leads.items.length ? (
            <Notice kind="error">{`Не вдалося завантажити угоди: ${describeError(leads.error)}`}</Notice>
          ) : null}
        </>
      ) : null}
    </View>
  );

  let empty: ReactElement | null = null;
  if (connected) {
    if (leads.phase === 'loading' || leads.phase === 'idle') {
      empty = <ActivityIndicator testID="leads-loading" style={{ margin: 24 }} />;
    } else if (leads.phase === 'error') {
      empty = (
        <View style={{ paddingHorizontal: 16, gap: 8 }}>
          <Notice kind="error" testID="leads-error">{`Не вдалося завантажити угоди: ${describeError(leads.error)}`}</Notice>
          <Button title="Спробувати ще раз" variant="secondary" testID="leads-retry" onPress={leads.refresh} />
        </View>
      );
    } else if (syncRunning) {
      empty = (
        <Text testID="leads-syncing" style={[styles.muted, { textAlign: 'center', margin: 24 }]}>
          Угоди ще синхронізуються з AMO CRM…
        </Text>
      );
    } else {
      empty = (
        <Text testID="leads-empty" style={[styles.muted, { textAlign: 'center', margin: 24 }]}>
          Угод не знайдено
        </Text>
      );
    }
  }

  return (
    <FlatList
      testID="leads-list"
      style={styles.screen}
      data={connected ? leads.items : []}
      keyExtractor={(item) => String(item.id)}
      renderItem={({ item }) => <LeadRow lead={item} onOpen={openLead} />}
      ListHeaderComponent={header}
      ListEmptyComponent={empty}
      ListFooterComponent={leads.loadingMore ? <ActivityIndicator testID="leads-more" style={{ margin: 16 }} /> : <View style={{ height: 24 }} />}
      refreshing={leads.refreshing}
      onRefresh={() => {
        void loadStatus();
        leads.refresh();
      }}
      onEndReached={leads.loadMore}
      onEndReachedThreshold={0.5}
      keyboardShouldPersistTaps="handled"
    />
  );
}
