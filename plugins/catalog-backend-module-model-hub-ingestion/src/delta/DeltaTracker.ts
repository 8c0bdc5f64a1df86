import { createHash } from 'crypto';
import { Entity } from '@backstage/catalog-model';
import { DeferredEntity } from '@backstage/plugin-catalog-node';
import { INGESTION_ANNOTATIONS } from '../annotations';
import {
  EmittedEntity,
  InMemoryIngestionStateStore,
  IngestionStateStore,
} from './IngestionStateStore';

/** Serialises a JSON value with object keys sorted, so equal content hashes equally. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(stableStringify).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .filter(k => obj[k] !== undefined)
      .sort()
      .map(k => `${JSON.stringify(k)}:${stableStringify(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 of an entity's stable serialisation. */
export function contentHash(entity: Entity): string {
  return createHash('sha256').update(stableStringify(entity)).digest('hex');
}

/** What one sync changes in the catalog. */
export interface DeltaPlan {
  /** Entities that are new or whose content changed (including newly deprecated ones). */
  added: DeferredEntity[];
  /** Remote ids that disappeared upstream in this sync and are now emitted as deprecated. */
  removedUpstream: string[];
}

/**
 * Remembers, per remote id of one source, the content hash of the entity last
 * emitted, so a sync emits only what changed (a delta mutation). A remote id
 * that disappears upstream is re-emitted once as `lifecycle: deprecated` with
 * the `modelhub.io/ingestion-removed` annotation, never deleted: consumers
 * keep seeing what they depend on, and the owners see it went away.
 *
 * The memory is kept in an {@link IngestionStateStore} (the catalog's
 * database in the module), so a restarted or second replica neither
 * re-emits the whole source nor misses a model removed while it was down.
 */
export class DeltaTracker {
  private readonly emitted = new Map<string, EmittedEntity>();
  private loading?: Promise<void>;

  constructor(
    private readonly locationKey: string,
    private readonly store: IngestionStateStore = new InMemoryIngestionStateStore(),
  ) {}

  /** Loads what the store remembers; call before {@link plan} (cheap once loaded). */
  async ready(): Promise<void> {
    this.loading ??= this.store.load(this.locationKey).then(
      remembered => {
        this.emitted.clear();
        for (const [k, v] of remembered) this.emitted.set(k, v);
      },
      error => {
        this.loading = undefined; // retried on the next sync
        throw error;
      },
    );
    await this.loading;
  }

  /** The entity last emitted for `remoteId`, if any. */
  previous(remoteId: string): Entity | undefined {
    return this.emitted.get(remoteId)?.entity;
  }

  /** How many remote ids this tracker has emitted (present or deprecated). */
  get size(): number {
    return this.emitted.size;
  }

  /**
   * Plans the delta for a complete listing of the source: `current` maps
   * each remote id to the entity it maps to now. Call {@link commit} after
   * the mutation was applied; until then nothing is remembered, so a failed
   * apply is retried on the next sync.
   */
  plan(
    current: Map<string, Entity>,
    removedAt: string,
  ): DeltaPlan & {
    commit: () => Promise<void>;
  } {
    const next = new Map<string, EmittedEntity>();
    const changed: Array<[string, EmittedEntity]> = [];
    const added: DeferredEntity[] = [];
    const removedUpstream: string[] = [];
    for (const [remoteId, entity] of current) {
      const hash = contentHash(entity);
      next.set(remoteId, { hash, entity });
      if (this.emitted.get(remoteId)?.hash !== hash) {
        added.push({ entity, locationKey: this.locationKey });
        changed.push([remoteId, { hash, entity }]);
      }
    }
    for (const [remoteId, previous] of this.emitted) {
      if (current.has(remoteId)) continue;
      const annotations = previous.entity.metadata.annotations ?? {};
      if (annotations[INGESTION_ANNOTATIONS.removed]) {
        next.set(remoteId, previous);
        continue;
      }
      const deprecated = markRemovedUpstream(previous.entity, removedAt);
      const emitted = { hash: contentHash(deprecated), entity: deprecated };
      next.set(remoteId, emitted);
      changed.push([remoteId, emitted]);
      added.push({ entity: deprecated, locationKey: this.locationKey });
      removedUpstream.push(remoteId);
    }
    return {
      added,
      removedUpstream,
      commit: async () => {
        await this.store.save(this.locationKey, changed);
        this.emitted.clear();
        for (const [k, v] of next) this.emitted.set(k, v);
      },
    };
  }
}

/** The entity of a model that disappeared upstream: deprecated, stamped with when. */
export function markRemovedUpstream(entity: Entity, removedAt: string): Entity {
  return {
    ...entity,
    metadata: {
      ...entity.metadata,
      annotations: {
        ...entity.metadata.annotations,
        [INGESTION_ANNOTATIONS.removed]: removedAt,
      },
    },
    spec: { ...entity.spec, lifecycle: 'deprecated' },
  };
}
