import {
  CompoundEntityRef,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';

/**
 * Canonical, lowercase form of an entity ref (`kind:namespace/name`). Entity
 * refs compare case-insensitively in the catalog, so every lookup and every
 * dedup key in the stewardship engine goes through this form.
 */
export function normalizeEntityRef(
  ref: string | CompoundEntityRef | Entity,
  context?: { defaultKind?: string; defaultNamespace?: string },
): string {
  let compound: CompoundEntityRef;
  if (typeof ref === 'string') {
    compound = parseEntityRef(ref, context);
  } else if ('metadata' in ref) {
    compound = {
      kind: ref.kind,
      namespace: ref.metadata.namespace ?? 'default',
      name: ref.metadata.name,
    };
  } else {
    compound = ref;
  }
  return stringifyEntityRef(compound).toLocaleLowerCase('en-US');
}

/**
 * Like {@link normalizeEntityRef}, but returns `undefined` instead of
 * throwing for a ref that cannot be parsed (e.g. a kind-less ref in a field
 * without a default kind).
 */
export function tryNormalizeEntityRef(
  ref: unknown,
  context?: { defaultKind?: string; defaultNamespace?: string },
): string | undefined {
  if (typeof ref !== 'string' || ref.trim() === '') {
    return undefined;
  }
  try {
    return normalizeEntityRef(ref.trim(), context);
  } catch {
    return undefined;
  }
}

/** The lowercase kind part of a normalized entity ref. */
export function kindOfRef(normalizedRef: string): string {
  return normalizedRef.slice(0, normalizedRef.indexOf(':'));
}

/** Locale-independent string order (by UTF-16 code units), for stable sorting. */
export function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
