import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { migrateModelHub } from '../database/migrate';
import { BlobLedger } from './BlobLedger';
import { VersionAliases } from './VersionAliases';
import { SealStep, VersionDrafts } from './VersionDrafts';
import { VersionQueries } from './VersionQueries';

/**
 * Persists model versions, their files and aliases, and the set of stored
 * artifact blobs. Enforces the invariants that need the database: a sealed
 * version never changes, aliases only point at sealed versions. One entry
 * point over its parts: queries, draft state transitions, aliases, blobs.
 */
export class VersionStore {
  readonly #queries: VersionQueries;
  readonly #drafts: VersionDrafts;
  readonly #aliases: VersionAliases;
  readonly #blobs: BlobLedger;

  /** Connects to the plugin database and runs the migrations (unless skipped). */
  static async create(options: {
    database: DatabaseService;
    /** Awaited between the steps of each seal (tests stall a seal with it). */
    sealPause?: (step: SealStep) => Promise<void>;
  }): Promise<VersionStore> {
    const { database } = options;
    const client = await database.getClient();
    if (!database.migrations?.skip) {
      await migrateModelHub(client);
    }
    return new VersionStore(client, options.sealPause);
  }

  private constructor(db: Knex, sealPause?: (step: SealStep) => Promise<void>) {
    this.#queries = new VersionQueries(db);
    this.#drafts = new VersionDrafts(db, this.#queries, sealPause);
    this.#aliases = new VersionAliases(db, this.#queries);
    this.#blobs = new BlobLedger(db);
  }

  /** {@inheritDoc VersionDrafts.createVersion} */
  createVersion(
    ...args: Parameters<VersionDrafts['createVersion']>
  ): ReturnType<VersionDrafts['createVersion']> {
    return this.#drafts.createVersion(...args);
  }

  /** {@inheritDoc VersionQueries.getDraftInfo} */
  getDraftInfo(
    ...args: Parameters<VersionQueries['getDraftInfo']>
  ): ReturnType<VersionQueries['getDraftInfo']> {
    return this.#queries.getDraftInfo(...args);
  }

  /** {@inheritDoc VersionQueries.getVersion} */
  getVersion(
    ...args: Parameters<VersionQueries['getVersion']>
  ): ReturnType<VersionQueries['getVersion']> {
    return this.#queries.getVersion(...args);
  }

  /** {@inheritDoc VersionQueries.resolveVersion} */
  resolveVersion(
    ...args: Parameters<VersionQueries['resolveVersion']>
  ): ReturnType<VersionQueries['resolveVersion']> {
    return this.#queries.resolveVersion(...args);
  }

  /** {@inheritDoc VersionQueries.latestSealedVersions} */
  latestSealedVersions(
    ...args: Parameters<VersionQueries['latestSealedVersions']>
  ): ReturnType<VersionQueries['latestSealedVersions']> {
    return this.#queries.latestSealedVersions(...args);
  }

  /** {@inheritDoc VersionQueries.latestSealedManifest} */
  latestSealedManifest(
    ...args: Parameters<VersionQueries['latestSealedManifest']>
  ): ReturnType<VersionQueries['latestSealedManifest']> {
    return this.#queries.latestSealedManifest(...args);
  }

  /** {@inheritDoc VersionQueries.latestActivity} */
  latestActivity(
    ...args: Parameters<VersionQueries['latestActivity']>
  ): ReturnType<VersionQueries['latestActivity']> {
    return this.#queries.latestActivity(...args);
  }

  /** {@inheritDoc VersionQueries.sealedVersionsOf} */
  sealedVersionsOf(
    ...args: Parameters<VersionQueries['sealedVersionsOf']>
  ): ReturnType<VersionQueries['sealedVersionsOf']> {
    return this.#queries.sealedVersionsOf(...args);
  }

  /** {@inheritDoc VersionQueries.listVersions} */
  listVersions(
    ...args: Parameters<VersionQueries['listVersions']>
  ): ReturnType<VersionQueries['listVersions']> {
    return this.#queries.listVersions(...args);
  }

  /** {@inheritDoc BlobLedger.recordBlob} */
  recordBlob(
    ...args: Parameters<BlobLedger['recordBlob']>
  ): ReturnType<BlobLedger['recordBlob']> {
    return this.#blobs.recordBlob(...args);
  }

  /** {@inheritDoc BlobLedger.claimRecordedBlob} */
  claimRecordedBlob(
    ...args: Parameters<BlobLedger['claimRecordedBlob']>
  ): ReturnType<BlobLedger['claimRecordedBlob']> {
    return this.#blobs.claimRecordedBlob(...args);
  }

  /** {@inheritDoc BlobLedger.listUnreferencedBlobs} */
  listUnreferencedBlobs(
    ...args: Parameters<BlobLedger['listUnreferencedBlobs']>
  ): ReturnType<BlobLedger['listUnreferencedBlobs']> {
    return this.#blobs.listUnreferencedBlobs(...args);
  }

  /** {@inheritDoc BlobLedger.deleteBlobIfUnreferenced} */
  deleteBlobIfUnreferenced(
    ...args: Parameters<BlobLedger['deleteBlobIfUnreferenced']>
  ): ReturnType<BlobLedger['deleteBlobIfUnreferenced']> {
    return this.#blobs.deleteBlobIfUnreferenced(...args);
  }

  /** {@inheritDoc BlobLedger.getBlob} */
  getBlob(
    ...args: Parameters<BlobLedger['getBlob']>
  ): ReturnType<BlobLedger['getBlob']> {
    return this.#blobs.getBlob(...args);
  }

  /** {@inheritDoc VersionDrafts.resetStaleSeals} */
  resetStaleSeals(
    ...args: Parameters<VersionDrafts['resetStaleSeals']>
  ): ReturnType<VersionDrafts['resetStaleSeals']> {
    return this.#drafts.resetStaleSeals(...args);
  }

  /** {@inheritDoc VersionDrafts.addFile} */
  addFile(
    ...args: Parameters<VersionDrafts['addFile']>
  ): ReturnType<VersionDrafts['addFile']> {
    return this.#drafts.addFile(...args);
  }

  /** {@inheritDoc VersionDrafts.sealVersion} */
  sealVersion(
    ...args: Parameters<VersionDrafts['sealVersion']>
  ): ReturnType<VersionDrafts['sealVersion']> {
    return this.#drafts.sealVersion(...args);
  }

  /** {@inheritDoc VersionAliases.setAlias} */
  setAlias(
    ...args: Parameters<VersionAliases['setAlias']>
  ): ReturnType<VersionAliases['setAlias']> {
    return this.#aliases.setAlias(...args);
  }
}
