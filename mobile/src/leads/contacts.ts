import type { Lead } from '../api/types';

/**
 * The contact a lead row names, and how many more the lead has: amoCRM's main contact (the API
 * lists it first with `isMain`), else the first one whose name is known (names arrive with the
 * sync's contact pass; until then none is shown).
 */
export function mainContact(lead: Pick<Lead, 'contacts'>): { name: string; others: number } | null {
  const named = lead.contacts.filter((c) => c.name && c.name.trim());
  const chosen = named.find((c) => c.isMain) ?? named[0];
  return chosen?.name ? { name: chosen.name.trim(), others: lead.contacts.length - 1 } : null;
}
