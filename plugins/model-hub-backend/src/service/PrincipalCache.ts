import { BackstageCredentials } from '@backstage/backend-plugin-api';

/** Options of {@link PrincipalCache}. */
export interface PrincipalCacheOptions {
  /** How long a value is reused, in ms; 0 turns the cache off. */
  ttlMs: number;
  /** Most values kept (oldest evicted first). */
  maxEntries?: number;
  /** The clock, for tests. */
  now?: () => number;
  /**
   * Age (ms, below `ttlMs`) from which a hit also starts one recomputation
   * in the background; the hit is answered at once, and the new value
   * replaces it when it comes (and `keep` accepts it). A value read often
   * then never expires under its readers, who would all wait for the
   * recomputation together. Default: off.
   */
  refreshAfterMs?: number;
}

/**
 * A short-lived, bounded cache of values computed as one caller: keys hold
 * the caller's principal (user entity ref or service subject), because the
 * catalog's permission policy decides what each caller sees, plus a value
 * in canonical JSON form. Concurrent identical requests share one
 * computation; a failed computation, or a value `keep` rejects, is not kept.
 *
 * Used for the hub search's total and facet counts, which cost three or
 * more catalog queries per request while the page costs one, and for the
 * read routes' model lookups. Staleness bound: a value is at most `ttlMs`
 * older than its source.
 */
export class PrincipalCache<T> {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #refreshAfterMs: number;
  readonly #entries = new Map<
    string,
    { at: number; value: Promise<T>; refreshing?: boolean }
  >();

  constructor(options: PrincipalCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries ?? 1000;
    this.#now = options.now ?? Date.now;
    this.#refreshAfterMs = options.refreshAfterMs ?? Infinity;
  }

  /**
   * The fresh cached (or in-flight) value of (caller, key), if any; computes
   * nothing, except that with `refresh`, a value past `refreshAfterMs` is
   * renewed by it in the background (see {@link PrincipalCache.get}).
   */
  peek(
    credentials: BackstageCredentials,
    key: unknown,
    refresh?: () => Promise<T>,
  ): Promise<T> | undefined {
    if (this.#ttlMs <= 0) return undefined;
    const entry = `${principalKey(credentials)}\n${canonical(key)}`;
    const now = this.#now();
    const hit = this.#entries.get(entry);
    if (!hit || now - hit.at >= this.#ttlMs) return undefined;
    if (refresh) this.#renewIfDue(entry, hit, now, refresh, () => true);
    return hit.value;
  }

  /** The cached value of (caller, key), or `compute()`'s. */
  get(
    credentials: BackstageCredentials,
    key: unknown,
    compute: () => Promise<T>,
    keep: (value: T) => boolean = () => true,
  ): Promise<T> {
    if (this.#ttlMs <= 0) return compute();
    const entry = `${principalKey(credentials)}\n${canonical(key)}`;
    const now = this.#now();
    const hit = this.#entries.get(entry);
    if (hit && now - hit.at < this.#ttlMs) {
      this.#renewIfDue(entry, hit, now, compute, keep);
      return hit.value;
    }
    const value = compute();
    this.#entries.delete(entry);
    this.#entries.set(entry, { at: now, value });
    const forget = () => {
      if (this.#entries.get(entry)?.value === value) {
        this.#entries.delete(entry);
      }
    };
    value.then(v => {
      if (!keep(v)) forget();
    }, forget);
    while (this.#entries.size > this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    return value;
  }

  /**
   * When `hit` of `entry` is past `refreshAfterMs` and not being renewed,
   * recomputes it in the background: the value, dated `now` (when the
   * recomputation began, so never older than the TTL says), replaces the
   * entry if it is still there and `keep` accepts it; a failure leaves the
   * entry as it was, to expire at its own time.
   */
  #renewIfDue(
    entry: string,
    hit: { at: number; value: Promise<T>; refreshing?: boolean },
    now: number,
    compute: () => Promise<T>,
    keep: (value: T) => boolean,
  ): void {
    if (now - hit.at < this.#refreshAfterMs || hit.refreshing) return;
    hit.refreshing = true;
    compute().then(
      v => {
        hit.refreshing = false;
        if (this.#entries.get(entry) === hit && keep(v)) {
          this.#entries.delete(entry);
          this.#entries.set(entry, { at: now, value: Promise.resolve(v) });
        }
      },
      () => {
        hit.refreshing = false;
      },
    );
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
