/** Why the connection ended (`status.ended`), as the glossary says it. */
import type { ConnectionEnded } from '../api/types';
import { isMessageKey, t } from '../i18n';
import { formatDateTime } from '../i18n/format';

/** The reason in words, with the account and when; a reason this app does not know yet gets the generic sentence. */
export function endedSentence(ended: ConnectionEnded): string {
  const key = `ended.${ended.reason}`;
  return t(isMessageKey(key) ? key : 'ended.other', { domain: ended.domain, at: formatDateTime(ended.at) });
}
