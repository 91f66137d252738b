import { ActivityIndicator, Text } from 'react-native';

import { endedSentence } from '../amocrm/ended';
import type { AmoStatusState } from '../amocrm/useAmoStatus';
import { t } from '../i18n';
import { Button, Card, colors, DataText, Notice, styles } from './components';
import { SyncProgress } from './SyncProgress';

/**
 * «Не підключено» / «Підключено» with domain and account id; when the connection ended (the
 * agent disconnected, the integration was removed in amoCRM, amoCRM refused the refresh, an
 * administrator removed it) why and when — the connect button below reads «Підключити AMO CRM
 * знову»; sync progress.
 */
export function StatusCard({ amo }: { amo: Pick<AmoStatusState, 'status' | 'error' | 'syncBusy' | 'reload'> }) {
  const { status, error } = amo;
  return (
    <Card testID="amo-status">
      {status === null && !error ? <ActivityIndicator testID="status-loading" /> : null}
      {error ? (
        <>
          <Notice kind="error" testID="status-error">
            {t('crm.statusFailedWith', { problem: error })}
          </Notice>
          <Button title={t('common.retry')} variant="secondary" testID="status-retry" onPress={() => void amo.reload()} />
        </>
      ) : null}
      {status ? (
        <>
          <Text testID="status-label" style={[styles.subtitle, { color: status.connected ? colors.ok : colors.muted }]}>
            {status.connected ? t('crm.connected') : status.needsReconnect ? t('crm.lost') : t('crm.notConnected')}
          </Text>
          {status.connected ? (
            <>
              <Text testID="status-domain" style={styles.text}>
                {t('crm.domainValue', { domain: status.domain ?? '—' })}
              </Text>
              <Text testID="status-account" style={styles.text}>
                {t('crm.accountIdValue', { accountId: status.accountId ?? '—' })}
              </Text>
              {status.accountName ? <DataText style={styles.muted}>{status.accountName}</DataText> : null}
            </>
          ) : null}
          {status.ended ? (
            <Notice kind="warn" testID="status-ended">
              {endedSentence(status.ended)}
            </Notice>
          ) : null}
          {status.connected ? <SyncProgress sync={status.sync} busy={amo.syncBusy} /> : null}
        </>
      ) : null}
    </Card>
  );
}
