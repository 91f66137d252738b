import { useState } from 'react';
import { Pressable, Text, View } from 'react-native';

import type { LeadSort } from '../api/types';
import { t } from '../i18n';
import { LEAD_SORTS } from '../leads/filters';
import { colors, styles } from './components';

/**
 * The web screen's sort select as a folding list: the current order on one line, the six
 * orders of the API when opened. A choice applies at once (as the web select does) and folds it.
 */
export function LeadSortPicker({ value, onChange }: { value: LeadSort; onChange: (sort: LeadSort) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <View style={{ gap: 6 }}>
      <Pressable
        accessibilityRole="button"
        accessibilityState={{ expanded: open }}
        testID="sort-toggle"
        onPress={() => setOpen((o) => !o)}
        style={[styles.row, { justifyContent: 'space-between' }]}
      >
        <Text style={styles.muted}>{t('leads.sort')}</Text>
        <Text testID="sort-current" style={[styles.text, { color: colors.primary }]}>
          {t(`sort.${value}`)}
          <Text>{open ? ' ▴' : ' ▾'}</Text>
        </Text>
      </Pressable>
      {open ? (
        <View accessibilityRole="radiogroup" accessibilityLabel={t('leads.sort')} style={{ gap: 2 }}>
          {LEAD_SORTS.map((sort) => (
            <Pressable
              key={sort}
              accessibilityRole="radio"
              accessibilityState={{ checked: sort === value }}
              testID={`sort-option-${sort}`}
              onPress={() => {
                setOpen(false);
                if (sort !== value) onChange(sort);
              }}
              style={[styles.option, sort === value && styles.optionSelected]}
            >
              <Text style={[styles.text, sort === value && { color: colors.primary, fontWeight: '600' }]}>{t(`sort.${sort}`)}</Text>
            </Pressable>
          ))}
        </View>
      ) : null}
    </View>
  );
}
