import { Readable } from 'node:stream';
import { AuthService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ModelVersion,
  ModelVersionFile,
} from '@internal/plugin-model-hub-common';

/** A sealed version's string and its files' paths, sizes and digests (what approvals bind to). */
export interface SealedManifest {
  version: string;
  files: Array<Pick<ModelVersionFile, 'path' | 'size' | 'sha256'>>;
}

/** What the runner needs of the version service (C's `ModelVersionService` fits). */
export interface GauntletVersionSource {
  /** @throws NotFoundError when there is no such version */
  getVersion(entityRef: string, versionOrAlias: string): Promise<ModelVersion>;
  /** All versions, most recently created first. */
  listVersions(entityRef: string): Promise<ModelVersion[]>;
  /**
   * The latest sealed version of each model, keyed by entity ref, in a
   * fixed number of queries (batched tiers); without it they are listed
   * one model at a time.
   */
  latestSealedVersions?(
    entityRefs: string[],
  ): Promise<Map<string, ModelVersion>>;
  /**
   * The latest sealed version of one model with only its files' paths,
   * sizes and digests, in one statement (the gauntlet GET's evaluation);
   * without it the evaluation reads the full version.
   */
  latestSealedManifest?(entityRef: string): Promise<SealedManifest | undefined>;
  readFile(file: Pick<ModelVersionFile, 'sha256'>): Promise<Readable>;
}

/** Catalog access of the gauntlet (as the plugin itself, not as a user). */
export interface GauntletCatalog {
  getEntityByRef(ref: string): Promise<Entity | undefined>;
  /** Every Model entity. */
  getModels(): Promise<Entity[]>;
}

/** Catalog access through the catalog service with the plugin's own credentials. */
export function gauntletCatalogFromService(
  catalog: CatalogService,
  auth: AuthService,
): GauntletCatalog {
  return {
    async getEntityByRef(ref) {
      return catalog.getEntityByRef(ref, {
        credentials: await auth.getOwnServiceCredentials(),
      });
    },
    async getModels() {
      const { items } = await catalog.getEntities(
        { filter: { kind: 'Model' } },
        { credentials: await auth.getOwnServiceCredentials() },
      );
      return items;
    },
  };
}
