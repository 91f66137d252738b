import { Pressable, Text, View } from 'react-native';

import type { Lead } from '../api/types';
import { t } from '../i18n';
import { formatDate, formatPrice } from '../i18n/format';
import { mainContact } from '../leads/contacts';
import { colors, styles } from './components';

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
        <Text style={[styles.subtitle, { flexShrink: 1 }]}>{lead.name}</Text>
        <Text testID={`lead-price-${lead.id}`} style={styles.text}>
          {formatPrice(lead.price)}
        </Text>
      </View>
      {contact ? (
        <Text testID={`lead-contact-${lead.id}`} style={styles.text}>
          {`${t('leads.contact')}: ${contact.name}${contact.others > 0 ? ` ${t('leads.moreContacts', { count: contact.others })}` : ''}`}
        </Text>
      ) : null}
      <View style={styles.row}>
        <View style={{ width: 10, height: 10, borderRadius: 5, backgroundColor: lead.statusColor ?? colors.border }} />
        <Text style={styles.muted}>{[lead.pipelineName, lead.statusName].filter(Boolean).join(' · ')}</Text>
      </View>
      <Text style={styles.muted}>{`${t('leads.responsible')}: ${lead.responsibleUserName ?? '—'}`}</Text>
      <Text style={styles.muted}>
        {`${t('leads.createdAt')}: ${formatDate(lead.createdAt)} · ${t('leads.updatedAt')}: ${formatDate(lead.updatedAt)}`}
      </Text>
      {lead.tags.length ? <Text style={styles.muted}>{`${t('leads.tags')}: ${lead.tags.join(', ')}`}</Text> : null}
    </Pressable>
  );
}
