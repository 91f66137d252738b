/**
 * The CRM screen: connection status, connect / disconnect, and the agent's leads. The route only
 * composes: state lives in hooks (src/amocrm/use*, src/leads/use*), drawing in src/ui.
 */
import { Redirect, router } from 'expo-router';
import { useCallback, useEffect, useReducer, useState } from 'react';
import { ActivityIndicator, Text, View } from 'react-native';

import type { Lead, LeadSort } from '../src/api/types';
import { useAmoStatus } from '../src/amocrm/useAmoStatus';
import { useConnectFlow } from '../src/amocrm/useConnectFlow';
import { useDisconnect } from '../src/amocrm/useDisconnect';
import { useSession } from '../src/auth/session';
import { t } from '../src/i18n';
import { activeFilterCount, DEFAULT_SORT, EMPTY_FILTERS, type LeadFilters } from '../src/leads/filters';
import { useLeads } from '../src/leads/useLeads';
import { useCustomFields } from '../src/leads/useCustomFields';
import { usePipelines } from '../src/leads/usePipelines';
import { useServices } from '../src/services';
import { ConnectActions, ConnectedActions } from '../src/ui/AmoActions';
import { CallbackProcessing } from '../src/ui/CallbackProcessing';
import { Button, DataText, styles } from '../src/ui/components';
import { LeadsList } from '../src/ui/LeadsList';
import { LeadsToolbar } from '../src/ui/LeadsToolbar';
import { StatusCard } from '../src/ui/StatusCard';

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
  const { api } = services;
  const session = useSession();
  // Bumped after a connect and after a sync finished: leads and pipelines are read again.
  const [reloadKey, reloadLeads] = useReducer((n: number) => n + 1, 0);
  const [filters, setFilters] = useState<LeadFilters>(EMPTY_FILTERS);
  const [sort, setSort] = useState<LeadSort>(DEFAULT_SORT);

  const amo = useAmoStatus(api, reloadLeads);
  const connect = useConnectFlow({ services, applyStatus: amo.apply, reloadStatus: amo.reload, onConnected: reloadLeads });
  const disconnect = useDisconnect(api, (status) => {
    amo.apply(status);
    setFilters(EMPTY_FILTERS);
  });
  const leads = useLeads(api, { filters, sort, enabled: amo.connected, reloadKey });
  const pipelines = usePipelines(api, amo.connected, reloadKey);
  const fields = useCustomFields(api, amo.connected, reloadKey);

  // A 409 AMO_NOT_CONNECTED from the leads endpoint means our status is stale.
  const reloadStatus = amo.reload;
  useEffect(() => {
    if (leads.error?.code === 'AMO_NOT_CONNECTED') void reloadStatus();
  }, [leads.error, reloadStatus]);

  // The lead's details over this screen: its filters stay, Back returns to the same list.
  const openLead = useCallback((lead: Lead) => router.push({ pathname: '/lead/[id]', params: { id: String(lead.id) } }), []);

  if (connect.phase.kind === 'processing') return <CallbackProcessing />;
  const header = (
    <View style={styles.content}>
      <View style={[styles.row, { justifyContent: 'space-between' }]}>
        <Text style={styles.title}>{t('crm.amoTitle')}</Text>
        <Button title={t('signOut')} variant="secondary" testID="sign-out" onPress={() => void session.signOut()} />
      </View>
      {session.user ? <DataText style={styles.muted}>{session.user.email}</DataText> : null}
      <StatusCard amo={amo} />
      <ConnectActions status={amo.status} phase={connect.phase} onConnect={() => void connect.start()} />
      {amo.connected ? (
        <>
          <ConnectedActions disconnect={disconnect} syncBusy={amo.syncBusy} onSync={() => void amo.startSync()} />
          <LeadsToolbar leads={leads} filters={filters} sort={sort} pipelines={pipelines} fields={fields} onFilters={setFilters} onSort={setSort} />
        </>
      ) : null}
    </View>
  );
  return (
    <LeadsList
      leads={leads}
      enabled={amo.connected}
      syncBusy={amo.syncBusy}
      filtered={activeFilterCount(filters) > 0}
      header={header}
      onOpen={openLead}
      onRefresh={() => {
        void amo.reload();
        leads.refresh();
      }}
    />
  );
}
