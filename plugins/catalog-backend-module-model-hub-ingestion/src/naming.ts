import { createHash } from 'crypto';

const MAX_NAME = 63;

/**
 * A valid, stable catalog entity name for a remote model: `<prefix>-<slug>`,
 * lowercase ASCII. When the slug loses information (quotes, spaces, unicode,
 * case, length) an 8-hex hash of the exact remote id is appended, so
 * `Fraud "v2"` and `fraud-v2` never collide and names stay within 63 characters.
 */
export function entityNameFor(prefix: string, remoteId: string): string {
  const slug = remoteId
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const plain = `${prefix}-${slug}`.replace(/-+$/, '');
  if (slug === remoteId && plain.length <= MAX_NAME) {
    return plain;
  }
  const hash = createHash('sha256').update(remoteId).digest('hex').slice(0, 8);
  const room = MAX_NAME - hash.length - 1;
  const head = plain.slice(0, room).replace(/-+$/, '');
  return `${head}-${hash}`;
}

/** A lowercase slug accepted by `spec.type` / `spec.framework`, or `undefined`. */
export function asSlug(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  return /^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/.test(v) ? v : undefined;
}
