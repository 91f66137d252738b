import { Text, View } from 'react-native';

import type { SyncState } from '../api/types';
import { getLanguage, t } from '../i18n';
import { formatDateTime } from '../i18n/format';
import { colors, styles } from './components';

export function SyncProgress({ sync, busy = false }: { sync: SyncState | null; busy?: boolean }) {
  const active = sync?.state === 'running' || sync?.state === 'queued';
  if (!sync || (busy && !active)) {
    return busy ? (
      <Text testID="sync-pending" style={styles.muted}>
        {t('sync.first')}
      </Text>
    ) : null;
  }
  if (active) {
    const percent = Math.round(Math.max(0, Math.min(1, sync.progress || 0)) * 100);
    return (
      <View testID="sync-progress" style={{ gap: 4 }}>
        <Text style={styles.muted}>{t('sync.runningPercent', { percent })}</Text>
        <View style={styles.progressTrack}>
          <View style={[styles.progressBar, { width: `${percent}%` }]} />
        </View>
      </View>
    );
  }
  if (sync.state === 'failed') {
    return (
      <Text testID="sync-failed" style={[styles.muted, { color: colors.danger }]}>
        {/* The sync's reason is the server's English prose: shown on an English screen only. */}
        {getLanguage() === 'en' && sync.error ? t('sync.failedWith', { detail: sync.error }) : t('sync.failed')}
      </Text>
    );
  }
  return (
    <Text testID="sync-idle" style={styles.muted}>
      {sync.lastSyncedAt ? t('sync.lastSynced', { when: formatDateTime(sync.lastSyncedAt) }) : t('sync.never')}
    </Text>
  );
}
