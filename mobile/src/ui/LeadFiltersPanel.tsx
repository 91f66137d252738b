import { useEffect, useState } from 'react';
import { Pressable, Text, View } from 'react-native';

import type { PipelinesResult } from '../api/types';
import { activeFilterCount, EMPTY_FILTERS, toggleId, validateFilters, type LeadFilters } from '../leads/filters';
import { Button, Card, Chip, Field, Notice, styles } from './components';

/** The web screen's filters: text, pipeline → status, responsible, price range, created dates. */
export function LeadFiltersPanel(props: {
  value: LeadFilters;
  pipelines: PipelinesResult | null;
  onApply: (filters: LeadFilters) => void;
}) {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<LeadFilters>(props.value);
  const [errors, setErrors] = useState<string[]>([]);
  useEffect(() => setDraft(props.value), [props.value]);

  const pipeline = props.pipelines?.pipelines.find((p) => p.id === draft.pipelineId) ?? null;
  const update = (patch: Partial<LeadFilters>) => setDraft((d) => ({ ...d, ...patch }));
  const apply = (next: LeadFilters) => {
    const problems = validateFilters(next);
    setErrors(problems);
    if (!problems.length) props.onApply(next);
  };
  const count = activeFilterCount(props.value);

  return (
    <Card testID="lead-filters">
      <View>
        <Field
          label="Пошук"
          testID="filter-query"
          placeholder="Назва, контакт, тег"
          value={draft.query}
          onChangeText={(query) => update({ query })}
          onSubmitEditing={() => apply(draft)}
          returnKeyType="search"
        />
      </View>
      <Pressable accessibilityRole="button" testID="filters-toggle" onPress={() => setOpen((o) => !o)}>
        <Text style={[styles.text, { color: '#1f5eff' }]}>
          {open ? 'Сховати фільтри' : `Фільтри${count ? ` (${count})` : ''}`}
        </Text>
      </Pressable>
      {open ? (
        <View style={{ gap: 10 }}>
          <Text style={styles.muted}>Воронка</Text>
          <View style={styles.row}>
            <Chip
              label="Усі воронки"
              testID="filter-pipeline-all"
              selected={draft.pipelineId === null}
              onPress={() => update({ pipelineId: null, statusIds: [] })}
            />
            {props.pipelines?.pipelines.map((p) => (
              <Chip
                key={p.id}
                label={p.name}
                testID={`filter-pipeline-${p.id}`}
                selected={draft.pipelineId === p.id}
                onPress={() => update({ pipelineId: p.id, statusIds: [] })}
              />
            ))}
          </View>
          {pipeline ? (
            <>
              <Text style={styles.muted}>Етап</Text>
              <View style={styles.row}>
                {pipeline.statuses.map((s) => (
                  <Chip
                    key={s.id}
                    label={s.name}
                    color={s.color}
                    testID={`filter-status-${s.id}`}
                    selected={draft.statusIds.includes(s.id)}
                    onPress={() => update({ statusIds: toggleId(draft.statusIds, s.id) })}
                  />
                ))}
              </View>
            </>
          ) : null}
          {props.pipelines?.users.length ? (
            <>
              <Text style={styles.muted}>Відповідальний</Text>
              <View style={styles.row}>
                {props.pipelines.users.map((u) => (
                  <Chip
                    key={u.id}
                    label={u.name}
                    testID={`filter-user-${u.id}`}
                    selected={draft.responsibleUserIds.includes(u.id)}
                    onPress={() => update({ responsibleUserIds: toggleId(draft.responsibleUserIds, u.id) })}
                  />
                ))}
              </View>
            </>
          ) : null}
          <View style={styles.row}>
            <Field inRow label="Ціна від" testID="filter-price-from" keyboardType="numeric" value={draft.priceFrom} onChangeText={(priceFrom) => update({ priceFrom })} />
            <Field inRow label="Ціна до" testID="filter-price-to" keyboardType="numeric" value={draft.priceTo} onChangeText={(priceTo) => update({ priceTo })} />
          </View>
          <View style={styles.row}>
            <Field inRow label="Створено від (РРРР-ММ-ДД)" testID="filter-created-from" placeholder="2026-01-01" value={draft.createdFrom} onChangeText={(createdFrom) => update({ createdFrom })} />
            <Field inRow label="Створено до (РРРР-ММ-ДД)" testID="filter-created-to" placeholder="2026-12-31" value={draft.createdTo} onChangeText={(createdTo) => update({ createdTo })} />
          </View>
        </View>
      ) : null}
      {errors.map((e) => (
        <Notice key={e} kind="error">
          {e}
        </Notice>
      ))}
      <View style={styles.row}>
        <Button title="Застосувати" testID="filters-apply" onPress={() => apply(draft)} />
        <Button
          title="Скинути"
          variant="secondary"
          testID="filters-reset"
          onPress={() => {
            setDraft(EMPTY_FILTERS);
            setErrors([]);
            props.onApply(EMPTY_FILTERS);
          }}
        />
      </View>
    </Card>
  );
}
