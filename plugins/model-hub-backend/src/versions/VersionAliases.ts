import { ConflictError } from '@backstage/errors';
import { ModelVersion } from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import { assertAliasAllowed, PROTECTED_ALIASES } from './aliasRules';
import { VersionQueries } from './VersionQueries';
import { FileRow, lockVersion } from './versionRows';

/** Aliases of a model's sealed versions (`production` → 2.1.0). */
export class VersionAliases {
  readonly #db: Knex;
  readonly #queries: VersionQueries;

  constructor(db: Knex, queries: VersionQueries) {
    this.#db = db;
    this.#queries = queries;
  }

  /**
   * Points `alias` at a sealed version, moving it when it already exists.
   * @throws NotFoundError when the version does not exist
   * @throws ConflictError when the version is not sealed, or the alias is
   *   protected and a file of the version is unsafe: checked under the
   *   version's lock, which a rescan storing an unsafe verdict takes too
   */
  async setAlias(options: {
    entityRef: string;
    alias: string;
    version: string;
    updatedBy: string;
  }): Promise<ModelVersion> {
    const { entityRef, alias, version, updatedBy } = options;
    await this.#db.transaction(async tx => {
      const row = await lockVersion(tx, entityRef, version);
      if (row.state !== 'sealed') {
        throw new ConflictError(
          `Version ${version} of ${entityRef} is a draft; only sealed versions can get aliases`,
        );
      }
      if (PROTECTED_ALIASES.includes(alias)) {
        const unsafe = await tx<FileRow>('model_version_files')
          .where({ version_id: row.id, scan_verdict: 'unsafe' })
          .orderBy('path')
          .select('path', 'scan');
        assertAliasAllowed(alias, {
          entityRef,
          version,
          files: unsafe.map(f => ({ path: f.path, scan: JSON.parse(f.scan) })),
        });
      }
      await tx('model_aliases')
        .insert({
          entity_ref: entityRef,
          alias,
          version_id: row.id,
          updated_by: updatedBy,
          updated_at: new Date(),
        })
        .onConflict(['entity_ref', 'alias'])
        .merge(['version_id', 'updated_by', 'updated_at']);
    });
    return (await this.#queries.getVersion(entityRef, version))!;
  }
}
