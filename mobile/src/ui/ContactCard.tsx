import { Pressable, Text, View } from 'react-native';

import type { LeadDetailContact, TypedValue } from '../api/types';
import { isMessageKey, t } from '../i18n';
import { mailtoUrl, telUrl } from '../leads/links';
import { colors, DataText, styles } from './components';

function TypedLink(props: { value: TypedValue; url: string; label: string; testID: string; onOpen: (url: string) => void }) {
  const typeKey = `phoneType.${props.value.type ?? ''}`;
  return (
    <Pressable
      accessibilityRole="link"
      accessibilityLabel={props.label}
      testID={props.testID}
      onPress={() => props.onOpen(props.url)}
      style={({ pressed }) => [styles.button, styles.buttonSecondary, { alignSelf: 'flex-start' }, pressed && { opacity: 0.6 }]}
    >
      <DataText style={[styles.buttonText, { color: colors.primary }]}>{props.value.value}</DataText>
      {isMessageKey(typeKey) ? <Text style={styles.muted}>{t(typeKey)}</Text> : null}
    </Pressable>
  );
}

/** A lead's contact: name, position, each phone to call and each e-mail to write to. */
export function ContactCard({ contact, onOpen }: { contact: LeadDetailContact; onOpen: (url: string) => void }) {
  const name = contact.name ?? `#${contact.id}`;
  return (
    <View testID={`contact-${contact.id}`} style={{ gap: 6, paddingVertical: 6 }}>
      <View style={styles.row}>
        <DataText style={styles.subtitle}>{name}</DataText>
        {contact.isMain ? <Text style={styles.muted}>{t('detail.mainContact')}</Text> : null}
      </View>
      {contact.position ? (
        <View style={styles.row}>
          <Text style={styles.muted}>{t('detail.position')}</Text>
          <DataText style={styles.text}>{contact.position}</DataText>
        </View>
      ) : null}
      {contact.phones.map((phone, i) => {
        const url = telUrl(phone.value);
        return url ? (
          <TypedLink
            key={`p${i}`}
            value={phone}
            url={url}
            label={t('detail.call', { name, phone: phone.value })}
            testID={`call-${contact.id}-${i}`}
            onOpen={onOpen}
          />
        ) : null;
      })}
      {contact.emails.map((email, i) => {
        const url = mailtoUrl(email.value);
        return url ? (
          <TypedLink
            key={`e${i}`}
            value={email}
            url={url}
            label={t('detail.write', { name, email: email.value })}
            testID={`write-${contact.id}-${i}`}
            onOpen={onOpen}
          />
        ) : null;
      })}
    </View>
  );
}
