import type { ReactElement } from 'react';
import { ActivityIndicator, FlatList, Text, View } from 'react-native';

import type { Lead } from '../api/types';
import { t } from '../i18n';
import { describeError } from '../i18n/errors';
import type { LeadsHandle } from '../leads/useLeads';
import { Button, Notice, styles } from './components';
import { LeadRow } from './LeadRow';

export interface LeadsListProps {
  leads: LeadsHandle;
  /** Connected: otherwise the list is empty and shows no empty state (the header says why). */
  enabled: boolean;
  syncBusy: boolean;
  filtered: boolean;
  /** Everything above the rows (status, actions, filters) scrolls with them. */
  header: ReactElement;
  onOpen: (lead: Lead) => void;
  onRefresh: () => void;
}

/** The leads as one scrolling list: pull to refresh, the next page near the end. */
export function LeadsList({ leads, enabled, syncBusy, filtered, header, onOpen, onRefresh }: LeadsListProps) {
  return (
    <FlatList
      testID="leads-list"
      style={styles.screen}
      data={enabled ? leads.items : []}
      keyExtractor={(item) => String(item.id)}
      renderItem={({ item }) => <LeadRow lead={item} onOpen={onOpen} />}
      ListHeaderComponent={header}
      ListEmptyComponent={enabled ? <LeadsEmpty leads={leads} syncBusy={syncBusy} filtered={filtered} /> : null}
      ListFooterComponent={leads.loadingMore ? <ActivityIndicator testID="leads-more" style={{ margin: 16 }} /> : <View style={{ height: 24 }} />}
      refreshing={leads.refreshing}
      onRefresh={onRefresh}
      onEndReached={leads.loadMore}
      onEndReachedThreshold={0.5}
      keyboardShouldPersistTaps="handled"
    />
  );
}

const centered = [styles.muted, { textAlign: 'center' as const, margin: 24 }];

function LeadsEmpty({ leads, syncBusy, filtered }: { leads: LeadsHandle; syncBusy: boolean; filtered: boolean }) {
  if (leads.phase === 'loading' || leads.phase === 'idle') {
    return <ActivityIndicator testID="leads-loading" style={{ margin: 24 }} />;
  }
  if (leads.phase === 'error') {
    return (
      <View style={{ paddingHorizontal: 16, gap: 8 }}>
        <Notice kind="error" testID="leads-error">{t('leads.errorWith', { problem: describeError(leads.error) })}</Notice>
        <Button title={t('common.retry')} variant="secondary" testID="leads-retry" onPress={leads.refresh} />
      </View>
    );
  }
  if (syncBusy) {
    return (
      <Text testID="leads-syncing" style={centered}>
        {t('leads.emptySyncing')}
      </Text>
    );
  }
  return (
    <Text testID="leads-empty" style={centered}>
      {filtered ? t('leads.empty') : t('leads.emptyNone')}
    </Text>
  );
}
