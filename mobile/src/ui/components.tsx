import type { ReactNode } from 'react';
import { ActivityIndicator, Pressable, StyleSheet, Text, TextInput, View, type TextInputProps, type TextProps } from 'react-native';

export const colors = {
  primary: '#1f5eff',
  danger: '#c62828',
  text: '#1b1b1f',
  muted: '#6b6f7b',
  border: '#d7dae0',
  bg: '#f5f6f8',
  card: '#ffffff',
  ok: '#2e7d32',
  warn: '#b26a00',
};

/**
 * Text that shows the account's data — names, amounts, dates, the domain — the only text on
 * screen that is not a sentence of the glossary (tests/unit/vocabulary.test.tsx checks that
 * every other Text is).
 */
export function DataText(props: TextProps) {
  return <Text {...props} />;
}

export function Button(props: {
  title: string;
  onPress: () => void;
  testID?: string;
  variant?: 'primary' | 'secondary' | 'danger';
  disabled?: boolean;
  busy?: boolean;
}) {
  const variant = props.variant ?? 'primary';
  const disabled = props.disabled || props.busy;
  return (
    <Pressable
      accessibilityRole="button"
      accessibilityState={{ disabled: !!disabled, busy: !!props.busy }}
      testID={props.testID}
      disabled={disabled}
      onPress={props.onPress}
      style={({ pressed }) => [
        styles.button,
        variant === 'primary' && styles.buttonPrimary,
        variant === 'secondary' && styles.buttonSecondary,
        variant === 'danger' && styles.buttonDanger,
        (pressed || disabled) && { opacity: 0.6 },
      ]}
    >
      {props.busy ? <ActivityIndicator color={variant === 'secondary' ? colors.primary : '#fff'} /> : null}
      <Text style={[styles.buttonText, variant === 'secondary' && { color: colors.primary }]}>{props.title}</Text>
    </Pressable>
  );
}

/** `data`: the label is the account's (a pipeline, stage or user name), not the glossary's. */
export function Chip(props: { label: string; selected: boolean; onPress: () => void; testID?: string; color?: string | null; data?: boolean }) {
  const Label = props.data ? DataText : Text;
  return (
    <Pressable
      accessibilityRole="button"
      accessibilityState={{ selected: props.selected }}
      testID={props.testID}
      onPress={props.onPress}
      style={[styles.chip, props.selected && styles.chipSelected, props.color ? { borderLeftColor: props.color, borderLeftWidth: 4 } : null]}
    >
      <Label style={[styles.chipText, props.selected && { color: '#fff' }]}>{props.label}</Label>
    </Pressable>
  );
}

export function Field(props: TextInputProps & { label: string; inRow?: boolean }) {
  const { label, style, inRow, ...rest } = props;
  return (
    <View style={[styles.field, inRow && styles.fieldInRow]}>
      <Text style={styles.fieldLabel}>{label}</Text>
      <TextInput accessibilityLabel={label} placeholderTextColor={colors.muted} style={[styles.input, style]} {...rest} />
    </View>
  );
}

export function Card({ children, testID }: { children: ReactNode; testID?: string }) {
  return (
    <View testID={testID} style={styles.card}>
      {children}
    </View>
  );
}

export function Notice({ kind, children, testID }: { kind: 'error' | 'info' | 'warn'; children: ReactNode; testID?: string }) {
  const color = kind === 'error' ? colors.danger : kind === 'warn' ? colors.warn : colors.primary;
  return (
    <View testID={testID} accessibilityRole="alert" style={[styles.notice, { borderColor: color }]}>
      <Text style={{ color }}>{children}</Text>
    </View>
  );
}

export const styles = StyleSheet.create({
  screen: { flex: 1, backgroundColor: colors.bg },
  content: { padding: 16, gap: 12 },
  title: { fontSize: 22, fontWeight: '700', color: colors.text },
  subtitle: { fontSize: 16, fontWeight: '600', color: colors.text },
  text: { fontSize: 15, color: colors.text },
  muted: { fontSize: 13, color: colors.muted },
  row: { flexDirection: 'row', alignItems: 'center', gap: 8, flexWrap: 'wrap' },
  button: {
    flexDirection: 'row',
    gap: 8,
    alignItems: 'center',
    justifyContent: 'center',
    paddingVertical: 12,
    paddingHorizontal: 16,
    borderRadius: 10,
  },
  buttonPrimary: { backgroundColor: colors.primary },
  buttonSecondary: { backgroundColor: '#fff', borderWidth: 1, borderColor: colors.primary },
  buttonDanger: { backgroundColor: colors.danger },
  buttonText: { color: '#fff', fontSize: 15, fontWeight: '600' },
  chip: { paddingVertical: 6, paddingHorizontal: 10, borderRadius: 16, borderWidth: 1, borderColor: colors.border, backgroundColor: '#fff' },
  chipSelected: { backgroundColor: colors.primary, borderColor: colors.primary },
  chipText: { fontSize: 13, color: colors.text },
  option: { paddingVertical: 10, paddingHorizontal: 12, borderRadius: 8, minHeight: 44, justifyContent: 'center' },
  optionSelected: { backgroundColor: '#eef2ff' },
  field: { gap: 4 },
  fieldInRow: { flexGrow: 1, flexBasis: 140 },
  fieldLabel: { fontSize: 13, color: colors.muted },
  input: { borderWidth: 1, borderColor: colors.border, borderRadius: 8, paddingHorizontal: 10, paddingVertical: 8, backgroundColor: '#fff', fontSize: 15 },
  card: { backgroundColor: colors.card, borderRadius: 12, padding: 16, gap: 8, borderWidth: 1, borderColor: colors.border },
  notice: { borderWidth: 1, borderRadius: 8, padding: 10, backgroundColor: '#fff' },
  progressTrack: { height: 6, backgroundColor: colors.border, borderRadius: 3, overflow: 'hidden' },
  progressBar: { height: 6, backgroundColor: colors.primary },
});
