import {
  AuthService,
  DiscoveryService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { ModelDeprecation } from '@internal/plugin-model-hub-common';
import { assertOk, getFromHub } from '../hub/getFromHub';
import {
  ModelDeprecationSource,
  parseModelDeprecation,
} from './ModelHubDeprecationClient';
import { withDeadline } from '../hub/withDeadline';

/** The default of `modelHub.catalog.deprecationRefreshSeconds`. */
export const DEFAULT_DEPRECATION_REFRESH_SECONDS = 5;

/** Options of {@link ModelHubDeprecationSnapshot}. */
export interface ModelHubDeprecationSnapshotOptions {
  discovery: DiscoveryService;
  auth: AuthService;
  /** How long one snapshot is used; default 5 s. */
  refreshMs?: number;
  /** Timeout of one fetch; default 5 s. */
  timeoutMs?: number;
  /** The fetch implementation; default the global `fetch`. */
  fetch?: typeof globalThis.fetch;
  /** The clock; default `Date.now`. */
  now?: () => number;
}

const key = (ref: string) => ref.toLocaleLowerCase('en-US');

/**
 * Every deprecation recorded by the hub, read with one request
 * (`GET /v1/deprecations`) per refresh window and shared by every entity
 * processed in that window, instead of one request per model per
 * processing loop. A 404 (no such route) means no deprecations. Concurrent lookups share one request. When the hub
 * cannot be asked, lookups throw (the processor then keeps the model's last
 * processed state) and the next lookup tries again.
 */
export class ModelHubDeprecationSnapshot implements ModelDeprecationSource {
  readonly #options: ModelHubDeprecationSnapshotOptions;
  readonly #refreshMs: number;
  readonly #now: () => number;
  #snapshot?: { at: number; items: Map<string, ModelDeprecation> };
  #inFlight?: Promise<Map<string, ModelDeprecation>>;

  /** Builds a snapshot whose window comes from `modelHub.catalog.deprecationRefreshSeconds`. */
  static fromConfig(
    config: RootConfigService,
    options: Omit<ModelHubDeprecationSnapshotOptions, 'refreshMs'>,
  ): ModelHubDeprecationSnapshot {
    const seconds =
      config.getOptionalNumber('modelHub.catalog.deprecationRefreshSeconds') ??
      DEFAULT_DEPRECATION_REFRESH_SECONDS;
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new Error(
        `modelHub.catalog.deprecationRefreshSeconds must be a non-negative number, got ${seconds}`,
      );
    }
    return new ModelHubDeprecationSnapshot({
      ...options,
      refreshMs: seconds * 1000,
    });
  }

  constructor(options: ModelHubDeprecationSnapshotOptions) {
    this.#options = options;
    this.#refreshMs =
      options.refreshMs ?? DEFAULT_DEPRECATION_REFRESH_SECONDS * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** {@inheritDoc ModelDeprecationSource.getDeprecation} */
  async getDeprecation(
    entityRef: string,
  ): Promise<ModelDeprecation | undefined> {
    return (await this.#current()).get(key(entityRef));
  }

  async #current(): Promise<Map<string, ModelDeprecation>> {
    if (this.#snapshot && this.#now() - this.#snapshot.at < this.#refreshMs) {
      return this.#snapshot.items;
    }
    if (!this.#inFlight) {
      const timeoutMs = this.#options.timeoutMs ?? 5000;
      this.#inFlight = withDeadline(
        this.#load(),
        timeoutMs + 1000,
        'Reading model deprecations',
      ).then(
        items => {
          this.#snapshot = { at: this.#now(), items };
          this.#inFlight = undefined;
          return items;
        },
        error => {
          this.#inFlight = undefined;
          throw error;
        },
      );
    }
    return this.#inFlight;
  }

  async #load(): Promise<Map<string, ModelDeprecation>> {
    const { res } = await getFromHub(
      {
        discovery: this.#options.discovery,
        auth: this.#options.auth,
        fetch: this.#options.fetch ?? ((...args) => fetch(...args)),
        timeoutMs: this.#options.timeoutMs ?? 5000,
      },
      '/v1/deprecations',
    );
    // A hub without the deprecations route records no deprecations (as a
    // 404 of the per-model route always meant "not deprecated").
    if (res.status === 404) return new Map();
    assertOk(res);
    const items = ((await res.json()) as { items?: unknown })?.items;
    if (!Array.isArray(items)) {
      throw new Error('deprecations response has no "items" array');
    }
    const out = new Map<string, ModelDeprecation>();
    for (const item of items) {
      const d = parseModelDeprecation(item);
      out.set(key(d.entityRef), d);
    }
    return out;
  }
}
