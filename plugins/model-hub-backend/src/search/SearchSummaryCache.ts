import { BackstageCredentials } from '@backstage/backend-plugin-api';

/** Options of {@link SearchSummaryCache}. */
export interface SearchSummaryCacheOptions {
  /** How long a summary is reused, in ms; 0 turns the cache off. */
  ttlMs: number;
  /** Most summaries kept (oldest evicted first). */
  maxEntries?: number;
  /** The clock, for tests. */
  now?: () => number;
}

/**
 * A short-lived cache of the parts of a hub search that do not depend on
 * the page: the total and the facet counts. They cost three or more catalog
 * queries per request while the page costs one, and they are the same for
 * every request of one caller with one filter. Keys hold the caller's
 * principal (user entity ref or service subject), because the catalog's
 * permission policy decides what each caller counts, and the filter in a
 * canonical form. Concurrent identical requests share one computation.
 *
 * Staleness bound: a total or a facet count is at most `ttlMs` older than
 * the catalog (the page itself is always read live). A failed computation
 * is not kept.
 */
export class SearchSummaryCache<T> {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { at: number; value: Promise<T> }>();

  constructor(options: SearchSummaryCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries ?? 1000;
    this.#now = options.now ?? Date.now;
  }

  /** The cached summary of (caller, filter), or `compute()`'s. */
  get(
    credentials: BackstageCredentials,
    filter: unknown,
    compute: () => Promise<T>,
  ): Promise<T> {
    if (this.#ttlMs <= 0) return compute();
    const key = `${principalKey(credentials)}\n${canonical(filter)}`;
    const now = this.#now();
    const hit = this.#entries.get(key);
    if (hit && now - hit.at < this.#ttlMs) return hit.value;
    const value = compute();
    this.#entries.delete(key);
    this.#entries.set(key, { at: now, value });
    value.catch(() => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
    });
    while (this.#entries.size > this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    return value;
  }
}

function principalKey(credentials: BackstageCredentials): string {
  const p = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (p.type === 'user') return `user:${p.userEntityRef}`;
  if (p.type === 'service') return `service:${p.subject}`;
  return `other:${p.type ?? 'none'}`;
}

/** JSON with object keys sorted, so equal filters give equal keys. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map(k => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}
