import { Redirect } from 'expo-router';
import { ActivityIndicator, View } from 'react-native';

import { useSession } from '../src/auth/session';

export default function Index() {
  const { status } = useSession();
  if (status === 'loading') {
    return (
      <View style={{ flex: 1, justifyContent: 'center' }}>
        <ActivityIndicator />
      </View>
    );
  }
  return <Redirect href={status === 'signedIn' ? '/crm' : '/sign-in'} />;
}
