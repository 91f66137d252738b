import { Text } from 'react-native';

import type { FilterField, LeadSort, PipelinesResult } from '../api/types';
import { t } from '../i18n';
import { describeError } from '../i18n/errors';
import type { LeadFilters } from '../leads/filters';
import type { LeadsHandle } from '../leads/useLeads';
import { Notice, styles } from './components';
import { LeadFiltersPanel } from './LeadFiltersPanel';
import { LeadSortPicker } from './LeadSortPicker';

/** Above the rows: filters, sort, how many were found, and a failed next page. */
export function LeadsToolbar(props: {
  leads: LeadsHandle;
  filters: LeadFilters;
  sort: LeadSort;
  pipelines: PipelinesResult | null;
  fields: FilterField[];
  onFilters: (filters: LeadFilters) => void;
  onSort: (sort: LeadSort) => void;
}) {
  const { leads } = props;
  return (
    <>
      <LeadFiltersPanel value={props.filters} pipelines={props.pipelines} fields={props.fields} onApply={props.onFilters} />
      <LeadSortPicker value={props.sort} onChange={props.onSort} />
      {leads.phase === 'ready' ? <Text testID="leads-total" style={styles.muted}>{t('leads.total', { total: leads.total })}</Text> : null}
      {leads.error && leads.items.length ? <Notice kind="error">{t('leads.errorWith', { problem: describeError(leads.error) })}</Notice> : null}
    </>
  );
}
