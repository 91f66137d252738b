import { Pressable, Text, View } from 'react-native';

import type { Lead } from '../api/types';
import { t } from '../i18n';
import { formatDate, formatPrice } from '../i18n/format';
import { mainContact } from '../leads/contacts';
import { colors, DataText, styles } from './components';

export function LeadRow({ lead, onOpen }: { lead: Lead; onOpen: (lead: Lead) => void }) {
  const contact = mainContact(lead);
  return (
    <Pressable
      accessibilityRole="link"
      testID={`lead-row-${lead.id}`}
      onPress={() => onOpen(lead)}
      style={({ pressed }) => [styles.card, { marginHorizontal: 16, marginBottom: 8 }, pressed && { opacity: 0.7 }]}
    >
      <View style={[styles.row, { justifyContent: 'space-between' }]}>
        <DataText style={[styles.subtitle, { flexShrink: 1 }]}>{lead.name}</DataText>
        <DataText testID={`lead-price-${lead.id}`} style={styles.text}>
          {formatPrice(lead.price, lead.currency ?? null)}
        </DataText>
      </View>
      {contact ? (
        <Text testID={`lead-contact-${lead.id}`} style={styles.text}>
          {contact.others > 0
            ? t('leads.contactValueMore', { name: contact.name, count: contact.others })
            : t('leads.contactValue', { name: contact.name })}
        </Text>
      ) : null}
      <View style={styles.row}>
        <View style={{ width: 10, height: 10, borderRadius: 5, backgroundColor: lead.statusColor ?? colors.border }} />
        <DataText style={styles.muted}>{[lead.pipelineName, lead.statusName].filter(Boolean).join(' · ')}</DataText>
      </View>
      <Text style={styles.muted}>{t('leads.responsibleValue', { name: lead.responsibleUserName ?? '—' })}</Text>
      <Text style={styles.muted}>
        {t('leads.datesValue', { created: formatDate(lead.createdAt), updated: formatDate(lead.updatedAt) })}
      </Text>
      {lead.tags.length ? <Text style={styles.muted}>{t('leads.tagsValue', { tags: lead.tags.join(', ') })}</Text> : null}
    </Pressable>
  );
}
