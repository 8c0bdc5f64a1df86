/**
 * How the model card treats a URL it finds: only same-version files (by a
 * relative path that stays inside the version), web links and in-page
 * anchors are kept; everything else (`javascript:`, `data:`, `file:`,
 * protocol-relative `//host`, paths escaping the version) is dropped.
 */
export type CardUrl =
  | { kind: 'external'; href: string }
  | { kind: 'anchor'; href: string }
  | { kind: 'file'; path: string }
  | { kind: 'blocked' };

const EXTERNAL = /^(https?:\/\/|mailto:)/i;

/** Classifies `url` as written in the card at `cardPath` (e.g. `README.md`). */
export function classifyCardUrl(url: string, cardPath: string): CardUrl {
  const trimmed = url.trim();
  // Browsers drop tabs and newlines inside URLs (`java\tscript:`): refuse
  // any control character rather than guess what a browser would make of it.
  // eslint-disable-next-line no-control-regex
  if (trimmed === '' || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    return { kind: 'blocked' };
  }
  if (trimmed.startsWith('#')) return { kind: 'anchor', href: trimmed };
  if (EXTERNAL.test(trimmed)) {
    // Only what the URL parser agrees is http(s) or mailto, without credentials.
    try {
      const parsed = new URL(trimmed);
      if (
        ['http:', 'https:', 'mailto:'].includes(parsed.protocol) &&
        !parsed.username &&
        !parsed.password
      ) {
        return { kind: 'external', href: parsed.href };
      }
    } catch {
      return { kind: 'blocked' };
    }
    return { kind: 'blocked' };
  }
  // Anything else with a scheme (a colon before the first slash), or a
  // protocol-relative or absolute path.
  if (/^[^/?#]*:/.test(trimmed) || /^[\\/]/.test(trimmed)) {
    return { kind: 'blocked' };
  }
  const path = resolveVersionPath(trimmed.split(/[?#]/)[0], cardPath);
  return path ? { kind: 'file', path } : { kind: 'blocked' };
}

/**
 * Resolves a relative reference against the card's directory; undefined
 * when it is malformed or leaves the version (`../` past the root).
 */
export function resolveVersionPath(
  reference: string,
  cardPath: string,
): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(reference);
  } catch {
    return undefined;
  }
  if (decoded.includes('\\') || decoded.includes('\0')) return undefined;
  const parts = cardPath.split('/').slice(0, -1);
  for (const segment of decoded.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else {
      parts.push(segment);
    }
  }
  return parts.length ? parts.join('/') : undefined;
}

/** The model card of a version: `README.md` at its root (any case), else the shallowest one. */
export function findModelCardPath(paths: string[]): string | undefined {
  const cards = paths
    .filter(p => /(^|\/)readme\.md$/i.test(p))
    .sort(
      (a, b) =>
        a.split('/').length - b.split('/').length || a.length - b.length,
    );
  return cards[0];
}
