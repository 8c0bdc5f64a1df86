import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import {
  ModelDeprecation,
  modelHubApiPaths,
} from '@internal/plugin-model-hub-common';
import { assertOk, getFromHub } from '../hub/getFromHub';

/** Where the {@link ModelHubLifecycleProcessor} reads deprecations from. */
export interface ModelDeprecationSource {
  /**
   * The hub's deprecation of the model, or `undefined` when the hub has
   * none. Throws when the hub cannot be asked (unreachable, error status,
   * malformed answer).
   */
  getDeprecation(entityRef: string): Promise<ModelDeprecation | undefined>;
}

/** Options of {@link ModelHubDeprecationClient}. */
export interface ModelHubDeprecationClientOptions {
  discovery: DiscoveryService;
  auth: AuthService;
  /** Timeout of one request; default 3 s. */
  timeoutMs?: number;
  /** The fetch implementation; default the global `fetch`. */
  fetch?: typeof globalThis.fetch;
}

/** Checks the shape of a deprecation served by the hub. */
export function parseModelDeprecation(body: unknown): ModelDeprecation {
  const v = body as Partial<ModelDeprecation> | null;
  if (
    !v ||
    typeof v !== 'object' ||
    typeof v.entityRef !== 'string' ||
    typeof v.reason !== 'string' ||
    typeof v.deprecatedBy !== 'string' ||
    typeof v.deprecatedAt !== 'string' ||
    !(v.successor === undefined || typeof v.successor === 'string')
  ) {
    throw new Error(
      'deprecation must have string entityRef, reason, deprecatedBy and deprecatedAt, and an optional string successor',
    );
  }
  return v as ModelDeprecation;
}

/**
 * Reads one model's deprecation from the Model Hub
 * (`GET /v1/models/:ns/:name/deprecation`) as the catalog plugin; 404 means
 * the model is not deprecated.
 */
export class ModelHubDeprecationClient implements ModelDeprecationSource {
  private readonly discovery: DiscoveryService;
  private readonly auth: AuthService;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ModelHubDeprecationClientOptions) {
    this.discovery = options.discovery;
    this.auth = options.auth;
    this.timeoutMs = options.timeoutMs ?? 3000;
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
  }

  /** {@inheritDoc ModelDeprecationSource.getDeprecation} */
  async getDeprecation(
    entityRef: string,
  ): Promise<ModelDeprecation | undefined> {
    const { res } = await getFromHub(
      {
        discovery: this.discovery,
        auth: this.auth,
        fetch: this.fetchImpl,
        timeoutMs: this.timeoutMs,
      },
      modelHubApiPaths.deprecation(entityRef),
    );
    if (res.status === 404) {
      return undefined;
    }
    assertOk(res);
    return parseModelDeprecation(await res.json());
  }
}
