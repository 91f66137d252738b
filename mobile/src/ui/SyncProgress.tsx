import { Text, View } from 'react-native';

import type { SyncState } from '../api/types';
import { colors, styles } from './components';

export function SyncProgress({ sync, busy = false }: { sync: SyncState | null; busy?: boolean }) {
  if (!sync || (busy && sync.state !== 'running')) {
    return busy ? (
      <Text testID="sync-pending" style={styles.muted}>
        Перша синхронізація з AMO CRM…
      </Text>
    ) : null;
  }
  if (sync.state === 'running') {
    const pct = Math.round(Math.max(0, Math.min(1, sync.progress || 0)) * 100);
    return (
      <View testID="sync-progress" style={{ gap: 4 }}>
        <Text style={styles.muted}>{`Синхронізація з AMO CRM… ${pct}%`}</Text>
        <View style={styles.progressTrack}>
          <View style={[styles.progressBar, { width: `${pct}%` }]} />
        </View>
      </View>
    );
  }
  if (sync.state === 'failed') {
    return (
      <Text testID="sync-failed" style={[styles.muted, { color: colors.danger }]}>
        {`Синхронізація не вдалася${sync.error ? `: ${sync.error}` : ''}`}
      </Text>
    );
  }
  return (
    <Text testID="sync-idle" style={styles.muted}>
      {sync.lastSyncedAt ? `Синхронізовано: ${sync.lastSyncedAt.replace('T', ' ').slice(0, 16)}` : 'Ще не синхронізовано'}
    </Text>
  );
}
