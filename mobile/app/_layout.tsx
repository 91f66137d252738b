import { Stack } from 'expo-router';
import { StatusBar } from 'expo-status-bar';

import { SessionProvider } from '../src/auth/session';
import { createDefaultServices } from '../src/defaultServices';
import { t } from '../src/i18n';
import { ServicesProvider, useCreatedServices } from '../src/services';

export default function RootLayout() {
  const services = useCreatedServices(createDefaultServices);
  return (
    <ServicesProvider services={services}>
      <SessionProvider>
        <StatusBar style="dark" />
        <Stack>
          <Stack.Screen name="index" options={{ headerShown: false }} />
          <Stack.Screen name="sign-in" options={{ title: t('login.navTitle') }} />
          <Stack.Screen name="crm" options={{ title: t('crm.title'), headerBackVisible: false }} />
          <Stack.Screen name="lead/[id]" options={{ title: t('detail.title') }} />
          <Stack.Screen name="amo-crm/callback" options={{ title: t('crm.amoTitle'), headerBackVisible: false }} />
        </Stack>
      </SessionProvider>
    </ServicesProvider>
  );
}
