import { Pressable, Text, View } from 'react-native';

import type { Lead } from '../api/types';
import { colors, styles } from './components';

export function formatPrice(price: number | null): string {
  if (price === null || price === undefined) return '—';
  return price.toLocaleString('uk-UA');
}

export function formatDate(iso: string | null): string {
  if (!iso) return '—';
  return iso.slice(0, 10);
}

export function LeadRow({ lead, onOpen }: { lead: Lead; onOpen: (lead: Lead) => void }) {
  return (
    <Pressable
      accessibilityRole="link"
      testID={`lead-row-${lead.id}`}
      onPress={() => onOpen(lead)}
      style={({ pressed }) => [styles.card, { marginHorizontal: 16, marginBottom: 8 }, pressed && { opacity: 0.7 }]}
    >
      <View style={[styles.row, { justifyContent: 'space-between' }]}>
        <Text style={[styles.subtitle, { flexShrink: 1 }]}>{lead.name}</Text>
        <Text style={styles.text}>{formatPrice(lead.price)}</Text>
      </View>
      <View style={styles.row}>
        <View style={{ width: 10, height: 10, borderRadius: 5, backgroundColor: lead.statusColor ?? colors.border }} />
        <Text style={styles.muted}>
          {[lead.pipelineName, lead.statusName].filter(Boolean).join(' · ')}
        </Text>
      </View>
      <Text style={styles.muted}>
        {`Відповідальний: ${lead.responsibleUserName ?? '—'} · Створено: ${formatDate(lead.createdAt)}`}
      </Text>
      {lead.contacts.length ? <Text style={styles.muted}>{`Контакти: ${lead.contacts.map((c) => c.name).filter(Boolean).join(', ')}`}</Text> : null}
      {lead.tags.length ? <Text style={styles.muted}>{`Теги: ${lead.tags.join(', ')}`}</Text> : null}
    </Pressable>
  );
}
