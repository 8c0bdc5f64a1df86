import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  importedVersionName,
  INGESTION_ANNOTATIONS,
  ingestionOrigin,
  ModelImport,
  UpstreamModelCard,
} from '@internal/plugin-model-hub-common';
import { UploadStaging } from '../artifacts/UploadStaging';
import { ModelVersionService } from '../versions/ModelVersionService';
import { ImportSource } from './ImportSource';
import { ImportStore } from './ImportStore';

/** An import whose replica died is taken over after this long. */
export const STALE_IMPORT_MS = 2 * 60 * 60 * 1000;

/** Largest part of an upstream model card that is read and served (bytes). */
export const MAX_UPSTREAM_CARD_BYTES = 256 * 1024;

/** Upstream model cards kept in memory (one per model and revision). */
export const MAX_CACHED_CARDS = 500;

/** Options of {@link ModelImporter}. */
export interface ModelImporterOptions {
  versions: ModelVersionService;
  staging: UploadStaging;
  store: ImportStore;
  /** The configured sources by name (`mlflow:<id>`, `huggingface:<id>`). */
  sources: Map<string, ImportSource>;
  logger: LoggerService;
  now?: () => Date;
}

/**
 * Imports an upstream version of an ingested model into the hub's store
 * through the same publish path as any upload: a draft opened by the
 * requester, each file streamed through staging (size limit, SHA-256, the
 * scanner) into the content-addressed store, then the seal, which enqueues
 * the gauntlet. A failure discards the draft, so nothing of a refused import
 * stays published (its verified blobs are collected after the GC grace).
 */
export class ModelImporter {
  private readonly now: () => Date;
  private readonly cards = new Map<string, Promise<UpstreamModelCard>>();

  constructor(private readonly options: ModelImporterOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Whether `entity` came from a configured source (an import can be asked for). */
  canImport(entity: Entity): boolean {
    const origin = ingestionOrigin(entity);
    return !!origin && this.options.sources.has(origin.source);
  }

  /**
   * The model card of an ingested model at the revision the catalog
   * mirrors, read from its source with the source's credentials. A card at
   * one commit never changes, so cards are kept in memory by (source,
   * model, revision), the most recent {@link MAX_CACHED_CARDS}.
   * @throws NotFoundError when the model has no upstream card to show
   */
  async upstreamCard(
    entity: Entity,
    entityRef: string,
  ): Promise<UpstreamModelCard> {
    const origin = ingestionOrigin(entity);
    const source = origin && this.options.sources.get(origin.source);
    if (!origin || !origin.revision || !source?.readCard) {
      throw new NotFoundError(
        `${entityRef} has no upstream model card: it was not ingested from a configured Hugging Face source`,
      );
    }
    const key = `${origin.source}\n${origin.remoteId}\n${origin.revision}`;
    let card = this.cards.get(key);
    if (!card) {
      card = source
        .readCard(origin.remoteId, origin.revision, MAX_UPSTREAM_CARD_BYTES)
        .then(read => {
          if (!read) {
            throw new NotFoundError(
              `${origin.remoteId} has no README.md at ${origin.revision} on ${origin.source}`,
            );
          }
          return {
            source: origin.source,
            remoteId: origin.remoteId,
            revision: origin.revision!,
            ...read,
          };
        });
      this.cards.set(key, card);
      // Failures are not kept: the next request asks the source again.
      card.catch(() => this.cards.delete(key));
      while (this.cards.size > MAX_CACHED_CARDS) {
        this.cards.delete(this.cards.keys().next().value!);
      }
    }
    return card;
  }

  /**
   * Imports `remoteVersion` (default: the revision the catalog mirrors) of
   * `entity` as `requestedBy`. Returns the import and whether this call ran
   * it (`false`: it had already been imported).
   * @throws ConflictError while another import of the version runs
   */
  async importVersion(options: {
    entity: Entity;
    entityRef: string;
    remoteVersion?: string;
    requestedBy: string;
  }): Promise<{ ran: boolean; result: ModelImport }> {
    const { entity, entityRef, requestedBy } = options;
    const origin = ingestionOrigin(entity);
    if (!origin) {
      throw new InputError(
        `${entityRef} was not ingested from another registry; publish its versions instead of importing them`,
      );
    }
    const source = this.options.sources.get(origin.source);
    if (!source) {
      throw new InputError(
        `${entityRef} comes from ${origin.source}, which is not configured in modelHub.ingestion of the hub backend; nothing to import from`,
      );
    }
    const remoteVersion = options.remoteVersion ?? origin.revision;
    if (!remoteVersion) {
      throw new InputError(
        `${entityRef} mirrors no upstream version yet; name one with {"version": …}`,
      );
    }
    assertMirrored(entity, entityRef, origin.source, remoteVersion);
    const version = importedVersionName(origin.source, remoteVersion);
    if (!version) {
      throw new InputError(
        `'${remoteVersion}' is not a version ${origin.source} can be imported from (an MLflow version number or a 40-character commit sha)`,
      );
    }
    const target = {
      entityRef,
      version,
      source: origin.source,
      remoteId: origin.remoteId,
      remoteVersion,
    };
    const { claimed, current } = await this.options.store.claim(
      target,
      requestedBy,
      { now: this.now(), staleAfterMs: STALE_IMPORT_MS },
    );
    if (!claimed) {
      if (current.state === 'imported') return { ran: false, result: current };
      throw new ConflictError(
        `${origin.remoteId} ${remoteVersion} is already being imported into ${entityRef} as ${version} (by ${current.requestedBy} since ${current.startedAt}); wait for it to finish`,
      );
    }
    try {
      await this.run(source, target, requestedBy);
    } catch (e) {
      const error = e as Error;
      await this.options.store
        .discardDraft(entityRef, version, requestedBy)
        .catch(d =>
          this.options.logger.warn(
            `Could not discard the draft of the failed import ${entityRef}@${version}: ${d}`,
          ),
        );
      await this.options.store.finish(entityRef, version, {
        error: oneLine(error.message),
        now: this.now(),
      });
      this.options.logger.warn(
        `Import of ${origin.source} ${origin.remoteId} ${remoteVersion} into ${entityRef}@${version} failed: ${error.message}`,
      );
      throw error;
    }
    const result = await this.options.store.finish(entityRef, version, {
      now: this.now(),
    });
    return { ran: true, result };
  }

  private async run(
    source: ImportSource,
    target: {
      entityRef: string;
      version: string;
      remoteId: string;
      remoteVersion: string;
    },
    actor: string,
  ): Promise<void> {
    const { versions, staging, logger } = this.options;
    const plan = await source.plan(target.remoteId, target.remoteVersion);
    // Refuse what is announced as too large before a byte is fetched.
    for (const file of plan.files) staging.checkDeclaredSize(file.size);
    await versions.createVersion(
      target.entityRef,
      { version: target.version, description: plan.description },
      actor,
    );
    for (const file of plan.files) {
      const abort = new AbortController();
      const body = await file.open(abort.signal);
      try {
        await versions.uploadFile({
          entityRef: target.entityRef,
          version: target.version,
          path: file.path,
          body,
          expectedSha256: file.sha256,
          expectedSize: file.size,
          uploadedBy: actor,
        });
      } catch (e) {
        // Stop downloading the rest of a refused file.
        abort.abort();
        body.destroy();
        // Keep the refusal's class (and so its status); name the file.
        const error = e as Error;
        error.message = `${file.path} of ${target.remoteId} ${
          target.remoteVersion
        } was refused: ${oneLine(error.message)}`;
        throw error;
      }
    }
    await versions.sealVersion(target.entityRef, target.version, {
      sealedBy: actor,
    });
    logger.info(
      `Imported ${target.remoteId} ${target.remoteVersion} (${plan.files.length} files) into ${target.entityRef}@${target.version} for ${actor}`,
    );
  }
}

/** An MLflow version must be one the catalog mirrors as READY; a Hugging Face commit the mirrored one. */
function assertMirrored(
  entity: Entity,
  entityRef: string,
  source: string,
  remoteVersion: string,
): void {
  const annotations = entity.metadata.annotations ?? {};
  if (source.startsWith('mlflow:')) {
    let ready: string[] = [];
    try {
      ready = (
        JSON.parse(
          annotations[INGESTION_ANNOTATIONS.versions] ?? '[]',
        ) as Array<{
          version?: string;
        }>
      ).map(v => String(v.version));
    } catch {
      ready = [];
    }
    if (!ready.includes(remoteVersion)) {
      throw new NotFoundError(
        `MLflow version ${remoteVersion} is not a READY version of ${entityRef} in the catalog (${
          ready.join(', ') || 'none'
        }); wait for the next sync if it is new`,
      );
    }
    return;
  }
  const mirrored = annotations[INGESTION_ANNOTATIONS.revision];
  if (remoteVersion !== mirrored) {
    throw new ConflictError(
      `${entityRef} mirrors commit ${mirrored}; an import is pinned to the commit the catalog shows, not ${remoteVersion}`,
    );
  }
}

function oneLine(message: string): string {
  return message.split('\n')[0].slice(0, 1000);
}
