import { ActivityIndicator, Text, View } from 'react-native';

import { t } from '../i18n';
import { colors, styles } from './components';

/** The checklist's "callback-processing screen". */
export function CallbackProcessing() {
  return (
    <View testID="callback-processing" style={[styles.screen, { alignItems: 'center', justifyContent: 'center', gap: 12, padding: 24 }]}>
      <ActivityIndicator size="large" color={colors.primary} />
      <Text style={styles.subtitle}>{t('callback.processing')}</Text>
      <Text style={styles.muted}>{t('callback.wait')}</Text>
    </View>
  );
}
