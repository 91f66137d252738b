/**
 * One lead, whole (`/lead/123`): pushed over the CRM screen, whose list keeps its filters, so
 * Back returns to it as it was. Tap a phone to call, an e-mail to write (Linking, through
 * services.openExternal).
 */
import { Redirect, useLocalSearchParams } from 'expo-router';
import { ActivityIndicator, RefreshControl, ScrollView, View } from 'react-native';

import { useSession } from '../../src/auth/session';
import { t } from '../../src/i18n';
import { describeError } from '../../src/i18n/errors';
import { leadIdOf, useLead } from '../../src/leads/useLead';
import { useServices } from '../../src/services';
import { Button, Notice, styles } from '../../src/ui/components';
import { LeadDetailView } from '../../src/ui/LeadDetailView';

export default function LeadRoute() {
  const session = useSession();
  if (session.status === 'loading') return <ActivityIndicator />;
  if (session.status === 'signedOut') return <Redirect href="/sign-in" />;
  return <LeadScreen />;
}

export function LeadScreen() {
  const services = useServices();
  const params = useLocalSearchParams<{ id?: string }>();
  const lead = useLead(services.api, leadIdOf(params.id));
  const open = (url: string) => void services.openExternal(url).catch(() => undefined);
  return (
    <ScrollView
      style={styles.screen}
      testID="lead-screen"
      refreshControl={<RefreshControl refreshing={false} onRefresh={lead.reload} />}
    >
      {lead.phase === 'loading' ? (
        <View style={styles.content}>
          <ActivityIndicator accessibilityLabel={t('detail.loading')} />
        </View>
      ) : null}
      {lead.phase === 'error' ? (
        <View style={styles.content}>
          <Notice kind="error" testID="lead-error">
            {t('detail.errorWith', { problem: describeError(lead.error) })}
          </Notice>
          <Button title={t('common.retry')} variant="secondary" testID="lead-retry" onPress={lead.reload} />
        </View>
      ) : null}
      {lead.phase === 'ready' ? <LeadDetailView lead={lead.lead} onOpen={open} /> : null}
    </ScrollView>
  );
}
