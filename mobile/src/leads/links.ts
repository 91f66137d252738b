/**
 * Tap to call, tap to write: `tel:` and `mailto:` links built from a contact's values, with
 * nothing of the value in the link but what the scheme needs (as on the web screen).
 */
export function telUrl(phone: string): string | null {
  const digits = phone.replace(/[^\d+]/g, '').replace(/(?!^)\+/g, '');
  return /\d{3,}/.test(digits) ? `tel:${digits}` : null;
}

export function mailtoUrl(email: string): string | null {
  const text = email.trim();
  if (!/^[^\s@<>"]+@[^\s@<>"]+$/.test(text)) return null;
  return `mailto:${encodeURIComponent(text).replace(/%40/g, '@')}`;
}
