import type { Lead } from '../api/types';

/**
 * The contact a lead row names, and how many more the lead has. The API lists contacts in
 * amoCRM's order without amoCRM's `is_main` flag, so the first contact whose name is known stands
 * in for the main one (names arrive with the sync's contact pass; until then none is shown).
 */
export function mainContact(lead: Pick<Lead, 'contacts'>): { name: string; others: number } | null {
  const named = lead.contacts.find((c) => c.name && c.name.trim());
  return named?.name ? { name: named.name.trim(), others: lead.contacts.length - 1 } : null;
}
