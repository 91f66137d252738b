import type { ReactNode } from 'react';
import { Text, View } from 'react-native';

import type { LeadCustomField, LeadDetail, LeadNote, LeadTask } from '../api/types';
import { isMessageKey, t } from '../i18n';
import { formatDateTime, formatPrice } from '../i18n/format';
import { Button, Card, colors, DataText, styles } from './components';
import { ContactCard } from './ContactCard';

const DATE_TYPES = new Set(['date', 'date_time', 'birthday']);

/** A custom field's values in words: dates formatted, flags as yes/no, the rest as sent. */
export function fieldText(field: LeadCustomField): string {
  return field.values
    .map(({ value }) => {
      if (field.type === 'checkbox') return value ? t('detail.yes') : t('detail.no');
      if (DATE_TYPES.has(field.type) && Number.isFinite(Number(value)) && Number(value) > 0) {
        return formatDateTime(new Date(Number(value) * 1000).toISOString());
      }
      return value === null || value === undefined ? '' : String(value);
    })
    .filter(Boolean)
    .join(', ');
}

function Section(props: { title: string; empty: string; testID: string; children: ReactNode[] }) {
  return (
    <Card testID={props.testID}>
      <Text style={styles.subtitle}>{props.title}</Text>
      {props.children.length ? props.children : <Text style={styles.muted}>{props.empty}</Text>}
    </Card>
  );
}

function TaskItem({ task, now }: { task: LeadTask; now: number }) {
  const overdue = new Date(task.completeTill).getTime() < now;
  const when = formatDateTime(task.completeTill);
  return (
    <View testID={`task-${task.id}`} style={{ gap: 2 }}>
      <DataText style={styles.text}>{task.text}</DataText>
      <Text style={[styles.muted, overdue && { color: colors.danger, fontWeight: '600' }]}>
        {t(overdue ? 'detail.overdue' : 'detail.due', { when })}
      </Text>
    </View>
  );
}

function NoteItem({ note }: { note: LeadNote }) {
  const typeKey = `noteType.${note.type}`;
  return (
    <View testID={`note-${note.id}`} style={{ gap: 2 }}>
      <View style={styles.row}>
        <Text style={styles.muted}>{isMessageKey(typeKey) ? t(typeKey) : t('noteType.other')}</Text>
        <DataText style={styles.muted}>{formatDateTime(note.createdAt)}</DataText>
      </View>
      {note.text ? <DataText style={styles.text}>{note.text}</DataText> : null}
    </View>
  );
}

/** One lead, whole: contacts to call or write to, company, open tasks, fields, latest notes. */
export function LeadDetailView(props: { lead: LeadDetail; onOpen: (url: string) => void }) {
  const { lead } = props;
  const now = Date.now();
  const fields = lead.customFields.filter((f) => fieldText(f));
  return (
    <View style={styles.content}>
      <Card testID="lead-head">
        <DataText style={styles.title}>{lead.name || `#${lead.id}`}</DataText>
        <DataText testID="lead-detail-price" style={styles.subtitle}>
          {formatPrice(lead.price, lead.currency ?? null)}
        </DataText>
        <DataText style={styles.muted}>{[lead.pipelineName, lead.statusName].filter(Boolean).join(' · ')}</DataText>
        {lead.company ? (
          <View style={styles.row}>
            <Text style={styles.muted}>{t('detail.company')}</Text>
            <DataText testID="lead-company" style={styles.text}>
              {lead.company.name ?? `#${lead.company.id}`}
            </DataText>
          </View>
        ) : null}
      </Card>
      <Section title={t('detail.contacts')} empty={t('detail.noContacts')} testID="lead-contacts">
        {lead.contacts.map((c) => (
          <ContactCard key={c.id} contact={c} onOpen={props.onOpen} />
        ))}
      </Section>
      <Section title={t('detail.tasks')} empty={t('detail.noTasks')} testID="lead-tasks">
        {lead.tasks.map((task) => (
          <TaskItem key={task.id} task={task} now={now} />
        ))}
      </Section>
      <Section title={t('detail.fields')} empty={t('detail.noFields')} testID="lead-fields">
        {fields.map((f) => (
          <View key={f.id} testID={`field-${f.id}`}>
            <DataText style={styles.muted}>{f.name}</DataText>
            <DataText style={styles.text}>{fieldText(f)}</DataText>
          </View>
        ))}
      </Section>
      <Section title={t('detail.notes')} empty={t('detail.noNotes')} testID="lead-notes">
        {lead.notes.map((note) => (
          <NoteItem key={note.id} note={note} />
        ))}
      </Section>
      <Button title={t('leads.open')} variant="secondary" testID="lead-open-amo" onPress={() => props.onOpen(lead.url)} />
    </View>
  );
}
