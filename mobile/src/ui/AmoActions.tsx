import { Text, View } from 'react-native';

import type { AmoStatus } from '../api/types';
import type { ConnectPhase } from '../amocrm/useConnectFlow';
import type { DisconnectState } from '../amocrm/useDisconnect';
import { t } from '../i18n';
import { Button, Card, Notice, styles } from './components';

/**
 * The connect failure (with «Спробувати ще раз» on the button) and «Підключити AMO CRM» — or,
 * after the connection ended or stopped working, «Підключити AMO CRM знову».
 */
export function ConnectActions(props: { status: AmoStatus | null; phase: ConnectPhase; onConnect: () => void }) {
  const { status, phase } = props;
  const failed = phase.kind === 'failed';
  return (
    <>
      {phase.kind === 'failed' ? (
        <Notice kind="error" testID="connect-error">
          {phase.message}
        </Notice>
      ) : null}
      {status && (!status.connected || status.needsReconnect) ? (
        <Button
          title={failed ? t('common.retry') : status.ended || status.needsReconnect ? t('crm.reconnect') : t('crm.connect')}
          testID="connect-button"
          busy={phase.kind === 'browser'}
          onPress={props.onConnect}
        />
      ) : null}
    </>
  );
}

/** While connected: «Оновити з AMO CRM» and «Відключити AMO CRM», which asks in place first. */
export function ConnectedActions(props: { disconnect: DisconnectState; syncBusy: boolean; onSync: () => void }) {
  const { disconnect } = props;
  if (disconnect.asking) {
    return (
      <Card testID="disconnect-confirm">
        <Text style={styles.subtitle}>{t('disconnect.title')}</Text>
        <Text style={styles.text}>{t('disconnect.text')}</Text>
        {disconnect.error ? <Notice kind="error">{disconnect.error}</Notice> : null}
        <View style={styles.row}>
          <Button
            title={t('disconnect.confirm')}
            variant="danger"
            testID="disconnect-confirm-yes"
            busy={disconnect.busy}
            onPress={() => void disconnect.confirm()}
          />
          <Button title={t('common.cancel')} variant="secondary" testID="disconnect-confirm-no" onPress={disconnect.cancel} />
        </View>
      </Card>
    );
  }
  return (
    <View style={styles.row}>
      <Button title={t('sync.start')} variant="secondary" testID="sync-button" disabled={props.syncBusy} onPress={props.onSync} />
      <Button title={t('crm.disconnect')} variant="danger" testID="disconnect-button" onPress={disconnect.ask} />
    </View>
  );
}
