/**
 * How every Gatehouse message, report and log line shows a secret: never whole. A token long
 * enough to keep its secrecy shows its first and last four characters; anything shorter shows
 * nothing of itself.
 */
export function maskSecret(secret: string): string {
  if (typeof secret !== 'string' || secret.length < 16) return '…';
  return `${secret.slice(0, 4)}…${secret.slice(-4)}`;
}
