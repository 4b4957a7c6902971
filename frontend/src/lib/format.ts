const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Formats an RFC 3339 timestamp for display, or returns "—" for none. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateTime.format(date);
}

/** Shows a write-only secret by its last four characters only. */
export function maskSecret(last4: string | null | undefined): string {
  return last4 ? `••••••••${last4}` : '••••••••';
}
