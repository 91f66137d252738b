import { useEffect, useState } from 'react';
import { Pressable, Text, View } from 'react-native';

import type { FilterField, PipelinesResult } from '../api/types';
import { t } from '../i18n';
import { activeFilterCount, EMPTY_FILTERS, validateFilters, type LeadFilters } from '../leads/filters';
import { Button, Card, colors, Field, Notice, styles } from './components';
import { LeadFilterChoices, LeadFilterCustomFields, LeadFilterFields } from './LeadFilterInputs';

/**
 * The web screen's filters — text, pipeline → stage, responsible, lead fields, budget range,
 * created dates — plus the API's tag and updated dates. Edited as a draft, sent on «Застосувати» once valid;
 * everything but the search box folds away.
 */
export function LeadFiltersPanel(props: {
  value: LeadFilters;
  pipelines: PipelinesResult | null;
  fields?: FilterField[];
  onApply: (filters: LeadFilters) => void;
}) {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<LeadFilters>(props.value);
  const [errors, setErrors] = useState<string[]>([]);
  useEffect(() => setDraft(props.value), [props.value]);

  const update = (patch: Partial<LeadFilters>) => setDraft((d) => ({ ...d, ...patch }));
  const apply = (next: LeadFilters) => {
    const problems = validateFilters(next);
    setErrors(problems);
    if (!problems.length) props.onApply(next);
  };
  const count = activeFilterCount(props.value);

  return (
    <Card testID="lead-filters">
      <Field
        label={t('leads.search')}
        testID="filter-query"
        placeholder={t('leads.searchPlaceholder')}
        value={draft.query}
        onChangeText={(query) => update({ query })}
        onSubmitEditing={() => apply(draft)}
        returnKeyType="search"
      />
      <Pressable accessibilityRole="button" accessibilityState={{ expanded: open }} testID="filters-toggle" onPress={() => setOpen((o) => !o)}>
        <Text style={[styles.text, { color: colors.primary }]}>
          {open ? t('leads.hideFilters') : count ? t('leads.filtersWithCount', { count }) : t('leads.filters')}
        </Text>
      </Pressable>
      {open ? (
        <View style={{ gap: 10 }}>
          <LeadFilterChoices draft={draft} update={update} pipelines={props.pipelines} />
          <LeadFilterCustomFields draft={draft} update={update} fields={props.fields ?? []} />
          <LeadFilterFields draft={draft} update={update} />
        </View>
      ) : null}
      {errors.map((e) => (
        <Notice key={e} kind="error">
          {e}
        </Notice>
      ))}
      <View style={styles.row}>
        <Button title={t('leads.apply')} testID="filters-apply" onPress={() => apply(draft)} />
        <Button
          title={t('leads.reset')}
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
