import { Redirect, useLocalSearchParams, useRouter } from 'expo-router';
import * as WebBrowser from 'expo-web-browser';
import { useEffect, useState } from 'react';
import { Platform, Text, View } from 'react-native';

import type { CompletionResult } from '../../src/amocrm/completion';
import { useSession } from '../../src/auth/session';
import { t } from '../../src/i18n';
import { useServices } from '../../src/services';
import { CallbackProcessing } from '../../src/ui/CallbackProcessing';
import { Button, Notice, styles } from '../../src/ui/components';

type Mode = 'checking' | 'handed-back' | 'complete';

/**
 * foryoure://amo-crm/callback?code=…&state=… | ?error=…&state=…
 *
 * Reached when the OS hands the deep link to the app (Android after a `dismiss`, or a cold
 * start). It never trusts the params alone: it runs the same idempotent completion as the
 * auth-session path, which only redeems the state this app started, with its verifier.
 *
 * Web build: this page is also the popup's return address; there it only hands the URL back
 * to the opener (maybeCompleteAuthSession), which completes the attempt it started.
 */
export default function AmoCrmCallbackRoute() {
  const params = useLocalSearchParams<Record<string, string | string[]>>();
  const { completion } = useServices();
  const session = useSession();
  const router = useRouter();
  const [mode, setMode] = useState<Mode>('checking');
  const [result, setResult] = useState<CompletionResult | null>(null);
  const paramsKey = JSON.stringify(params);

  const backToCrm = () => {
    if (router.canGoBack()) router.back();
    else router.replace('/crm');
  };

  useEffect(() => {
    if (Platform.OS === 'web') {
      let handedBack = false;
      try {
        handedBack = WebBrowser.maybeCompleteAuthSession().type === 'success';
      } catch {
        handedBack = false;
      }
      setMode(handedBack ? 'handed-back' : 'complete');
    } else {
      setMode('complete');
    }
  }, []);

  useEffect(() => {
    if (mode !== 'complete' || session.status !== 'signedIn') return;
    let cancelled = false;
    completion.complete(JSON.parse(paramsKey) as Record<string, string | string[]>, 'deep-link').then((r) => {
      if (cancelled) return;
      setResult(r);
      if (r.ok) {
        if (router.canGoBack()) router.back();
        else router.replace('/crm');
      }
    });
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [mode, session.status, paramsKey, completion]);

  if (mode === 'handed-back') {
    return (
      <View testID="callback-handed-back" style={[styles.screen, styles.content, { justifyContent: 'center' }]}>
        <Text style={styles.subtitle}>{t('callback.handedBack')}</Text>
        <Text style={styles.muted}>{t('callback.windowCloses')}</Text>
      </View>
    );
  }
  if (mode === 'complete' && session.status === 'signedOut') return <Redirect href="/sign-in" />;
  if (!result || result.ok) return <CallbackProcessing />;
  return (
    <View testID="callback-failed" style={[styles.screen, styles.content, { justifyContent: 'center' }]}>
      <Text style={styles.title}>{t('callback.errorTitle')}</Text>
      <Notice kind="error" testID="callback-error">
        {result.message}
      </Notice>
      <Button title={t('common.retry')} testID="callback-retry" onPress={backToCrm} />
    </View>
  );
}
