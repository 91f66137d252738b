import { Redirect } from 'expo-router';
import { useEffect, useState } from 'react';
import { ActivityIndicator, KeyboardAvoidingView, Platform, ScrollView, Text, View } from 'react-native';

import type { Meta } from '../src/api/types';
import { describeSignInError, useSession } from '../src/auth/session';
import { t } from '../src/i18n';
import { useServices } from '../src/services';
import { Button, Card, Field, Notice, styles } from '../src/ui/components';

export default function SignInRoute() {
  const session = useSession();
  if (session.status === 'loading') {
    return (
      <View style={[styles.screen, { justifyContent: 'center' }]}>
        <ActivityIndicator />
      </View>
    );
  }
  if (session.status === 'signedIn') return <Redirect href="/crm" />;
  return <SignInScreen />;
}

export function SignInScreen() {
  const { api, baseUrl } = useServices();
  const session = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [meta, setMeta] = useState<Meta | null>(null);

  useEffect(() => {
    let cancelled = false;
    api.meta().then(
      (m) => !cancelled && setMeta(m),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [api]);

  const submit = async () => {
    if (!email.trim() || !password) {
      setError(t('login.missingFields'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await session.signIn(email.trim(), password);
    } catch (e) {
      setError(describeSignInError(e));
      setBusy(false);
    }
  };

  return (
    <KeyboardAvoidingView style={styles.screen} behavior={Platform.OS === 'ios' ? 'padding' : undefined}>
      <ScrollView contentContainerStyle={styles.content} keyboardShouldPersistTaps="handled">
        <Text style={styles.title}>{t('brand')}</Text>
        <Text style={styles.muted}>{t('login.intro')}</Text>
        {session.notice ? (
          <Notice kind="warn" testID="session-notice">
            {session.notice}
          </Notice>
        ) : null}
        <Card>
          <Field
            label={t('login.email')}
            testID="sign-in-email"
            autoCapitalize="none"
            autoComplete="email"
            keyboardType="email-address"
            value={email}
            onChangeText={setEmail}
          />
          <Field
            label={t('login.password')}
            testID="sign-in-password"
            secureTextEntry
            value={password}
            onChangeText={setPassword}
            onSubmitEditing={() => void submit()}
          />
          {error ? (
            <Notice kind="error" testID="sign-in-error">
              {error}
            </Notice>
          ) : null}
          <Button title={t('login.submit')} testID="sign-in-submit" busy={busy} onPress={() => void submit()} />
        </Card>
        {meta?.demo && meta.demoUser ? (
          <Card testID="demo-hint">
            <Text style={styles.muted}>{t('login.demoServer', { email: meta.demoUser.email, password: meta.demoUser.password })}</Text>
            <Button
              title={t('login.demoFill')}
              variant="secondary"
              testID="demo-fill"
              onPress={() => {
                setEmail(meta.demoUser?.email ?? '');
                setPassword(meta.demoUser?.password ?? '');
              }}
            />
          </Card>
        ) : null}
        <Text style={styles.muted}>{t('login.server', { url: baseUrl })}</Text>
      </ScrollView>
    </KeyboardAvoidingView>
  );
}
