import { Stack } from 'expo-router';
import { StatusBar } from 'expo-status-bar';

import { SessionProvider } from '../src/auth/session';
import { createDefaultServices } from '../src/defaultServices';
import { ServicesProvider, useCreatedServices } from '../src/services';

export default function RootLayout() {
  const services = useCreatedServices(createDefaultServices);
  return (
    <ServicesProvider services={services}>
      <SessionProvider>
        <StatusBar style="dark" />
        <Stack>
          <Stack.Screen name="index" options={{ headerShown: false }} />
          <Stack.Screen name="sign-in" options={{ title: 'Вхід' }} />
          <Stack.Screen name="crm" options={{ title: 'CRM', headerBackVisible: false }} />
          <Stack.Screen name="amo-crm/callback" options={{ title: 'AMO CRM', headerBackVisible: false }} />
        </Stack>
      </SessionProvider>
    </ServicesProvider>
  );
}
