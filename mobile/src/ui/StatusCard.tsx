import { ActivityIndicator, Text } from 'react-native';

import type { AmoStatusState } from '../amocrm/useAmoStatus';
import { t } from '../i18n';
import { Button, Card, colors, Notice, styles } from './components';
import { SyncProgress } from './SyncProgress';

/** «Не підключено» / «Підключено» with domain and account id, reconnect warning, sync progress. */
export function StatusCard({ amo }: { amo: Pick<AmoStatusState, 'status' | 'error' | 'syncBusy' | 'reload'> }) {
  const { status, error } = amo;
  return (
    <Card testID="amo-status">
      {status === null && !error ? <ActivityIndicator testID="status-loading" /> : null}
      {error ? (
        <>
          <Notice kind="error" testID="status-error">{`${t('crm.statusFailed')} ${error}`}</Notice>
          <Button title={t('common.retry')} variant="secondary" testID="status-retry" onPress={() => void amo.reload()} />
        </>
      ) : null}
      {status ? (
        <>
          <Text testID="status-label" style={[styles.subtitle, { color: status.connected ? colors.ok : colors.muted }]}>
            {status.connected ? t('crm.connected') : t('crm.notConnected')}
          </Text>
          {status.connected ? (
            <>
              <Text testID="status-domain" style={styles.text}>{`${t('crm.domain')}: ${status.domain ?? '—'}`}</Text>
              <Text testID="status-account" style={styles.text}>{`${t('crm.accountId')}: ${status.accountId ?? '—'}`}</Text>
              {status.accountName ? <Text style={styles.muted}>{status.accountName}</Text> : null}
            </>
          ) : null}
          {status.needsReconnect ? (
            <Notice kind="warn" testID="needs-reconnect">
              {t('crm.needsReconnect')}
            </Notice>
          ) : null}
          {status.connected ? <SyncProgress sync={status.sync} busy={amo.syncBusy} /> : null}
        </>
      ) : null}
    </Card>
  );
}
