import { Text, View } from 'react-native';

import type { SyncState } from '../api/types';
import { colors, styles } from './components';

export function SyncProgress({ sync }: { sync: SyncState | null }) {
  if (!sync) return null;
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
