import type { ReactNode } from 'react';
import { Text, View } from 'react-native';

import type { FilterField, PipelinesResult } from '../api/types';
import { t } from '../i18n';
import { chooseEnum, DATE_LABELS, DATE_RANGES, toggleId, type LeadFilters } from '../leads/filters';
import { Chip, DataText, Field, styles } from './components';

export interface DraftProps {
  draft: LeadFilters;
  update: (patch: Partial<LeadFilters>) => void;
}

interface Choice {
  id: number;
  name: string;
  color?: string | null;
}

/** A titled row of chips; `first` (the "all" chip) goes before the choices. */
function ChipGroup(props: {
  title: string;
  choices: readonly Choice[];
  testID: (id: number) => string;
  selected: (id: number) => boolean;
  onPress: (id: number) => void;
  first?: ReactNode;
}) {
  return (
    <>
      <Text style={styles.muted}>{props.title}</Text>
      <View style={styles.row}>
        {props.first}
        {props.choices.map((c) => (
          <Chip
            key={c.id}
            data
            label={c.name}
            color={c.color}
            testID={props.testID(c.id)}
            selected={props.selected(c.id)}
            onPress={() => props.onPress(c.id)}
          />
        ))}
      </View>
    </>
  );
}

/** Pipeline → its stages, and the responsible users (from `GET /api/amo-crm/pipelines`). */
export function LeadFilterChoices({ draft, update, pipelines }: DraftProps & { pipelines: PipelinesResult | null }) {
  const pipeline = pipelines?.pipelines.find((p) => p.id === draft.pipelineId) ?? null;
  return (
    <>
      <ChipGroup
        title={t('leads.pipeline')}
        choices={pipelines?.pipelines ?? []}
        testID={(id) => `filter-pipeline-${id}`}
        selected={(id) => draft.pipelineId === id}
        onPress={(id) => update({ pipelineId: id, statusIds: [] })}
        first={
          <Chip
            label={t('leads.all')}
            testID="filter-pipeline-all"
            selected={draft.pipelineId === null}
            onPress={() => update({ pipelineId: null, statusIds: [] })}
          />
        }
      />
      {pipeline ? (
        <ChipGroup
          title={t('leads.status')}
          choices={pipeline.statuses}
          testID={(id) => `filter-status-${id}`}
          selected={(id) => draft.statusIds.includes(id)}
          onPress={(id) => update({ statusIds: toggleId(draft.statusIds, id) })}
        />
      ) : null}
      {pipelines?.users.length ? (
        <ChipGroup
          title={t('leads.responsible')}
          choices={pipelines.users}
          testID={(id) => `filter-user-${id}`}
          selected={(id) => draft.responsibleUserIds.includes(id)}
          onPress={(id) => update({ responsibleUserIds: toggleId(draft.responsibleUserIds, id) })}
        />
      ) : null}
    </>
  );
}

const TEST_IDS = {
  createdFrom: 'filter-created-from',
  createdTo: 'filter-created-to',
  updatedFrom: 'filter-updated-from',
  updatedTo: 'filter-updated-to',
} as const;

/** Tag, budget range and the two date ranges (days typed as YYYY-MM-DD). */
export function LeadFilterFields({ draft, update }: DraftProps) {
  return (
    <>
      <Field label={t('leads.tag')} testID="filter-tag" autoCapitalize="none" value={draft.tag} onChangeText={(tag) => update({ tag })} />
      <View style={styles.row}>
        <Field inRow label={t('leads.priceFrom')} testID="filter-price-from" keyboardType="numeric" value={draft.priceFrom} onChangeText={(priceFrom) => update({ priceFrom })} />
        <Field inRow label={t('leads.priceTo')} testID="filter-price-to" keyboardType="numeric" value={draft.priceTo} onChangeText={(priceTo) => update({ priceTo })} />
      </View>
      {DATE_RANGES.map((range) => (
        <View key={range.label} style={styles.row}>
          {[range.from, range.to].map((field) => (
            <Field
              key={field}
              inRow
              label={t(DATE_LABELS[field])}
              testID={TEST_IDS[field]}
              placeholder={t('leads.datePlaceholder')}
              keyboardType="numbers-and-punctuation"
              value={draft[field]}
              onChangeText={(value) => update({ [field]: value })}
            />
          ))}
        </View>
      ))}
    </>
  );
}

/** One chip row per lead field (`GET /api/amo-crm/custom-fields`): at most one value each. */
export function LeadFilterCustomFields({ draft, update, fields }: DraftProps & { fields: FilterField[] }) {
  return (
    <>
      {fields.map((field) => (
        <View key={field.id} testID={`filter-cf-${field.id}`} style={{ gap: 4 }}>
          <DataText style={styles.muted}>{field.name}</DataText>
          <View style={styles.row}>
            <Chip
              label={t('leads.all')}
              testID={`filter-cf-${field.id}-all`}
              selected={draft.customFields[field.id] === undefined}
              onPress={() => update({ customFields: chooseEnum(draft.customFields, field.id, null) })}
            />
            {field.enums.map((item) => (
              <Chip
                key={item.id}
                data
                label={item.value}
                testID={`filter-cf-${field.id}-${item.id}`}
                selected={draft.customFields[field.id] === item.id}
                onPress={() => update({ customFields: chooseEnum(draft.customFields, field.id, item.id) })}
              />
            ))}
          </View>
        </View>
      ))}
    </>
  );
}
