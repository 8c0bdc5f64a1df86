import {
  AuthService,
  BackstageCredentials,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  findSimilarModels,
  MODEL_KIND,
  SimilarModelMatch,
} from '@internal/plugin-model-hub-common';
import { CatalogVisibility } from '../service/visibility';
import { OverlapGroup, overlapGroups } from '../usage/duplicates';
import { SimilarIndexStore, SyncResult } from './SimilarIndexStore';
import { queryOfDocument, queryTermsOf, SimilarTermsQuery } from './terms';

/** Fields of a Model the index reads from the catalog. */
const INDEX_FIELDS = [
  'apiVersion',
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'metadata.description',
  'metadata.tags',
  'spec.type',
  'spec.task',
  'spec.lifecycle',
  'spec.owner',
  'spec.tier',
  'spec.framework',
  'spec.baseModel',
  'relations',
];

/** Candidates read from the index per query before the exact ranking. */
const DEFAULT_POOL = 200;

/** Options of {@link SimilarModels}. */
export interface SimilarModelsOptions {
  store: SimilarIndexStore;
  catalog: CatalogService;
  auth: AuthService;
  userInfo?: UserInfoService;
  clock?: () => Date;
  /** Candidates ranked exactly per query (default 200). */
  pool?: number;
}

/** Overlapping models the caller may see, and each listed model's entity. */
export interface Overlaps {
  groups: OverlapGroup[];
  models: Map<string, Entity>;
}

/**
 * Similar models and duplicate effort through the term index: the index
 * proposes candidates in one statement, the catalog's permission policy
 * drops what the caller may not read (one batched lookup), and the shared
 * `findSimilarModels` ranks the rest exactly as the registration form
 * always has. Reads cost the same number of queries at any portfolio size.
 */
export class SimilarModels {
  readonly #store: SimilarIndexStore;
  readonly #catalog: CatalogService;
  readonly #auth: AuthService;
  readonly #visibility: CatalogVisibility;
  readonly #clock: () => Date;
  readonly #pool: number;
  /** Set once the index is known to hold models (no check per request after). */
  #built = false;

  constructor(options: SimilarModelsOptions) {
    this.#store = options.store;
    this.#catalog = options.catalog;
    this.#auth = options.auth;
    this.#visibility = new CatalogVisibility(options);
    this.#clock = options.clock ?? (() => new Date());
    this.#pool = options.pool ?? DEFAULT_POOL;
  }

  /**
   * Reads every Model from the catalog (as the hub) and re-indexes the ones
   * whose content changed, removing the ones gone. Run by the scheduled
   * task on one replica at a time.
   */
  async refresh(): Promise<SyncResult> {
    const { items } = await this.#catalog.getEntities(
      { filter: { kind: MODEL_KIND }, fields: INDEX_FIELDS },
      { credentials: await this.#auth.getOwnServiceCredentials() },
    );
    const result = await this.#store.sync(items, this.#clock());
    if (items.length > 0) this.#built = true;
    return result;
  }

  /** Models like `query` the caller may see, best first. */
  async similarTo(
    query: SimilarTermsQuery,
    credentials: BackstageCredentials,
    options: { limit: number; exclude?: string },
  ): Promise<SimilarModelMatch[]> {
    await this.#ensureBuilt();
    const pool = await this.#store.candidates(
      queryTermsOf(query),
      Math.max(this.#pool, options.limit * 10),
    );
    const visible = await this.#visibility.filter(
      pool.filter(c => c.entityRef !== options.exclude),
      { credentials, refOf: c => c.entityRef },
    );
    return findSimilarModels(
      query,
      visible.map(c => c.document),
      { limit: options.limit },
    );
  }

  /** Models like an indexed model (itself left out); 404 when unknown or hidden. */
  async similarToModel(
    entityRef: string,
    credentials: BackstageCredentials,
    options: { limit: number },
  ): Promise<SimilarModelMatch[]> {
    await this.#ensureBuilt();
    const model = await this.#store.get(entityRef);
    if (
      !model ||
      !(await this.#visibility.isVisible(model, {
        credentials,
        refOf: m => m.entityRef,
      }))
    ) {
      throw new NotFoundError(
        `Model ${entityRef} is not in the similar-models index; check the ref, or wait for the next index refresh`,
      );
    }
    return this.similarTo(queryOfDocument(model.document), credentials, {
      ...options,
      exclude: model.entityRef,
    });
  }

  /** Groups of same-task models alike in name and tags, among those the caller may see. */
  async overlapping(credentials: BackstageCredentials): Promise<Overlaps> {
    await this.#ensureBuilt();
    const pairs = await this.#store.sameTaskPairs();
    const refs = [...new Set(pairs.flatMap(p => [p.a, p.b]))];
    const visible = new Set(
      await this.#visibility.filter(refs, { credentials, refOf: r => r }),
    );
    const seen = pairs.filter(p => visible.has(p.a) && visible.has(p.b));
    const documents = await this.#store.documents([
      ...new Set(seen.flatMap(p => [p.a, p.b])),
    ]);
    const models = new Map<string, Entity>();
    const candidates = seen.flatMap(p => {
      const a = documents.get(p.a);
      const b = documents.get(p.b);
      // A model re-indexed away between the two statements: skip the pair.
      if (!a || !b) return [];
      models.set(p.a, a);
      models.set(p.b, b);
      return [
        { a: { entityRef: p.a, entity: a }, b: { entityRef: p.b, entity: b } },
      ];
    });
    return { groups: overlapGroups(candidates), models };
  }

  /** Builds the index on first use when nothing has been indexed yet (a fresh database). */
  async #ensureBuilt(): Promise<void> {
    if (this.#built) return;
    if (await this.#store.isEmpty()) {
      await this.refresh();
    } else {
      this.#built = true;
    }
  }
}
