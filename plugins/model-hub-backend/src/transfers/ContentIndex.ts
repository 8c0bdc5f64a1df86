import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { FileScanResult } from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';

/** A stored file that references a blob, whose scan can be reused. */
export interface BlobReference {
  path: string;
  size: number;
  format: string;
  scan: FileScanResult;
  /** The scanner version of `scan` (null: unknown). */
  scannerVersion: string | null;
}

/**
 * Answers which content the hub already holds, but only to callers who could
 * read it anyway: a blob counts as present for a caller only when a version
 * of a model the caller can see in the catalog references it. Anything else
 * is reported as absent, so the answer is no oracle for other teams' content.
 */
export class ContentIndex {
  readonly #db: Knex;
  readonly #catalog: CatalogService;

  /** Reads the version tables of the plugin database. */
  constructor(options: { db: Knex; catalog: CatalogService }) {
    this.#db = options.db;
    this.#catalog = options.catalog;
  }

  /** The subset of `sha256s` the caller may know the hub holds. */
  async visibleBlobs(
    sha256s: string[],
    credentials: BackstageCredentials,
  ): Promise<Set<string>> {
    const wanted = [...new Set(sha256s)];
    if (wanted.length === 0) return new Set();
    const rows: Array<{ sha256: string; entity_ref: string }> = [];
    for (let i = 0; i < wanted.length; i += 500) {
      rows.push(
        ...(await this.#db('model_version_files')
          .join(
            'model_versions',
            'model_versions.id',
            'model_version_files.version_id',
          )
          .join(
            'artifact_blobs',
            'artifact_blobs.sha256',
            'model_version_files.sha256',
          )
          .whereIn('model_version_files.sha256', wanted.slice(i, i + 500))
          .distinct(
            'model_version_files.sha256 as sha256',
            'model_versions.entity_ref as entity_ref',
          )),
      );
    }
    const refs = [...new Set(rows.map(r => r.entity_ref))];
    const readable = new Set<string>();
    if (refs.length > 0) {
      const { items } = await this.#catalog.getEntitiesByRefs(
        {
          entityRefs: refs,
          fields: ['kind', 'metadata.namespace', 'metadata.name'],
        },
        { credentials },
      );
      for (const entity of items) {
        if (entity) {
          readable.add(stringifyEntityRef(entity).toLocaleLowerCase('en-US'));
        }
      }
    }
    return new Set(
      rows.filter(r => readable.has(r.entity_ref)).map(r => r.sha256),
    );
  }

  /**
   * A file already stored with this content, preferring one with the same
   * file extension (the scanner picks its parser by content and name).
   */
  async findReference(
    sha256: string,
    path: string,
  ): Promise<BlobReference | undefined> {
    const rows = await this.#db('model_version_files')
      .where({ sha256 })
      .select('path', 'size', 'format', 'scan', 'scanner_version')
      .limit(50);
    const ext = extension(path);
    const row = rows.find(r => extension(r.path) === ext);
    return row
      ? {
          path: row.path,
          size: Number(row.size),
          format: row.format,
          scan: JSON.parse(row.scan) as FileScanResult,
          scannerVersion: row.scanner_version ?? null,
        }
      : undefined;
  }
}

function extension(path: string): string {
  const name = path.split('/').pop() ?? '';
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}
