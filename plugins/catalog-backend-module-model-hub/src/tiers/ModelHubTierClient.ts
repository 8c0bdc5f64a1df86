import {
  AuthService,
  DiscoveryService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { assertOk, getFromHub } from '../hub/getFromHub';
import { withDeadline } from '../hub/withDeadline';

/** One model's gauntlet state, as served by the hub's effective-tiers route. */
export interface EffectiveTierEntry {
  /** The model's entity ref, e.g. `model:default/churn-classifier`. */
  entityRef: string;
  /** The tier the model earned, or `null` when it earned none. */
  effectiveTier: string | null;
  /** The gauntlet status, e.g. `passed`, `failed`, `pending`, `not-run`. */
  status: string;
}

/** Where the {@link ModelHubTierProcessor} reads the earned tiers from. */
export interface EffectiveTierSource {
  /**
   * The gauntlet state of every model keyed by lower-cased entity ref, or
   * `undefined` when the hub could not be reached. Never throws.
   */
  getEffectiveTiers(): Promise<Map<string, EffectiveTierEntry> | undefined>;
}

/** Options of {@link ModelHubTierClient}. */
export interface ModelHubTierClientOptions {
  discovery: DiscoveryService;
  auth: AuthService;
  logger: LoggerService;
  /** How long a fetched list (or a failed fetch) is reused; default 30 s. */
  refreshMs?: number;
  /** Timeout of one fetch of the list; default 5 s. */
  timeoutMs?: number;
  /** The fetch implementation; default the global `fetch`. */
  fetch?: typeof globalThis.fetch;
  /** The clock; default `Date.now`. */
  now?: () => number;
}

/** The hub's route serving all effective tiers. */
const EFFECTIVE_TIERS_PATH = '/v1/gauntlet/effective-tiers';

/** The default of `modelHub.catalog.tierRefreshSeconds`. */
export const DEFAULT_TIER_REFRESH_SECONDS = 30;

/** Normalises an entity ref for lookups (refs are case-insensitive). */
export function tierKey(entityRef: string): string {
  return entityRef.toLocaleLowerCase('en-US');
}

/** Parses the hub's response, rejecting anything not shaped as documented. */
export function parseEffectiveTiers(
  body: unknown,
): Map<string, EffectiveTierEntry> {
  const items = (body as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) {
    throw new Error('response has no "items" array');
  }
  const out = new Map<string, EffectiveTierEntry>();
  items.forEach((item: unknown, i) => {
    const v = item as Record<string, unknown> | null;
    if (
      !v ||
      typeof v !== 'object' ||
      typeof v.entityRef !== 'string' ||
      typeof v.status !== 'string' ||
      !(v.effectiveTier === null || typeof v.effectiveTier === 'string')
    ) {
      throw new Error(
        `items[${i}] must have a string entityRef, a string status and a string or null effectiveTier`,
      );
    }
    out.set(tierKey(v.entityRef), {
      entityRef: v.entityRef,
      effectiveTier: v.effectiveTier === '' ? null : v.effectiveTier,
      status: v.status,
    });
  });
  return out;
}

/**
 * Reads the effective tiers of all models from the Model Hub backend over its
 * HTTP API, authenticated as the catalog, and caches the whole list for the
 * refresh window so that processing many entities costs one request. A
 * failed fetch is logged once and remembered for the same window, so an
 * unreachable hub costs one timeout per window, not one per entity.
 */
export class ModelHubTierClient implements EffectiveTierSource {
  private readonly discovery: DiscoveryService;
  private readonly auth: AuthService;
  private readonly logger: LoggerService;
  private readonly refreshMs: number;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private cached?: {
    at: number;
    value: Map<string, EffectiveTierEntry> | undefined;
  };
  private inFlight?: Promise<Map<string, EffectiveTierEntry> | undefined>;

  /** Builds a client whose refresh window comes from `modelHub.catalog.tierRefreshSeconds`. */
  static fromConfig(
    config: RootConfigService,
    options: Omit<ModelHubTierClientOptions, 'refreshMs'>,
  ): ModelHubTierClient {
    const seconds =
      config.getOptionalNumber('modelHub.catalog.tierRefreshSeconds') ??
      DEFAULT_TIER_REFRESH_SECONDS;
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new Error(
        `modelHub.catalog.tierRefreshSeconds must be a non-negative number, got ${seconds}`,
      );
    }
    return new ModelHubTierClient({ ...options, refreshMs: seconds * 1000 });
  }

  constructor(options: ModelHubTierClientOptions) {
    this.discovery = options.discovery;
    this.auth = options.auth;
    this.logger = options.logger;
    this.refreshMs = options.refreshMs ?? DEFAULT_TIER_REFRESH_SECONDS * 1000;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
    this.now = options.now ?? Date.now;
  }

  /** {@inheritDoc EffectiveTierSource.getEffectiveTiers} */
  async getEffectiveTiers(): Promise<
    Map<string, EffectiveTierEntry> | undefined
  > {
    if (this.cached && this.now() - this.cached.at < this.refreshMs) {
      return this.cached.value;
    }
    if (!this.inFlight) {
      this.inFlight = this.load().then(value => {
        this.cached = { at: this.now(), value };
        this.inFlight = undefined;
        return value;
      });
    }
    return this.inFlight;
  }

  private async load(): Promise<Map<string, EffectiveTierEntry> | undefined> {
    try {
      // Token, request and body all within the timeout (and a little more).
      return await withDeadline(
        (async () => {
          const { res } = await getFromHub(
            {
              discovery: this.discovery,
              auth: this.auth,
              fetch: this.fetchImpl,
              timeoutMs: this.timeoutMs,
            },
            EFFECTIVE_TIERS_PATH,
          );
          assertOk(res);
          return parseEffectiveTiers(await res.json());
        })(),
        this.timeoutMs + 1000,
        'Reading effective tiers',
      );
    } catch (error) {
      this.logger.warn(
        `Could not read effective tiers from the Model Hub; models get no effective tier and no gauntlet status until it answers: ${
          (error as Error)?.message ?? String(error)
        }`,
      );
      return undefined;
    }
  }
}
