import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { migrateModelHub } from '../database/migrate';

/** A resumable upload of one file into a draft version. */
export interface MultipartUpload {
  id: string;
  entityRef: string;
  version: string;
  path: string;
  sha256: string;
  size: number;
  partSize: number;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  /** S3's multipart upload id when the parts go directly to S3 (presigned). */
  s3UploadId?: string;
  /** End of the lease of a completion under way (on any replica). */
  completingUntil?: Date;
}

/** A verified part of a {@link MultipartUpload}. */
export interface UploadedPart {
  number: number;
  size: number;
  sha256: string;
  /** The ETag S3 answered for a part sent directly to S3. */
  etag?: string;
}

interface UploadRow {
  id: string;
  entity_ref: string;
  version: string;
  path: string;
  sha256: string;
  size: number | string;
  part_size: number | string;
  created_by: string;
  created_at: Date | string | number;
  updated_at: Date | string | number;
  s3_upload_id?: string | null;
  completing_until?: Date | string | number | null;
}

/** Persists multipart upload sessions and the parts they received. */
export class MultipartUploadStore {
  readonly #db: Knex;

  /** Connects to the plugin database and runs the migrations (unless skipped). */
  static async create(options: {
    database: DatabaseService;
  }): Promise<MultipartUploadStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await migrateModelHub(client);
    }
    return new MultipartUploadStore(client);
  }

  private constructor(db: Knex) {
    this.#db = db;
  }

  /** Records a new upload session. */
  async insert(upload: MultipartUpload): Promise<void> {
    await this.#db<UploadRow>('multipart_uploads').insert({
      id: upload.id,
      entity_ref: upload.entityRef,
      version: upload.version,
      path: upload.path,
      sha256: upload.sha256,
      size: upload.size,
      part_size: upload.partSize,
      created_by: upload.createdBy,
      created_at: upload.createdAt,
      updated_at: upload.updatedAt,
      s3_upload_id: upload.s3UploadId ?? null,
    });
  }

  /** One upload by id. */
  async get(id: string): Promise<MultipartUpload | undefined> {
    const row = await this.#db<UploadRow>('multipart_uploads')
      .where({ id })
      .first();
    return row ? toUpload(row) : undefined;
  }

  /**
   * The open upload of the same file content into the same draft by the same
   * principal, which a re-run of an interrupted publish continues. With
   * `direct` given, only uploads going to S3 directly (true) or through the
   * backend (false) match.
   */
  async findResumable(query: {
    entityRef: string;
    version: string;
    path: string;
    sha256: string;
    size: number;
    partSize: number;
    createdBy: string;
    direct?: boolean;
  }): Promise<MultipartUpload | undefined> {
    const rows = this.#db<UploadRow>('multipart_uploads');
    if (query.direct === true) rows.whereNotNull('s3_upload_id');
    if (query.direct === false) rows.whereNull('s3_upload_id');
    const row = await rows
      .where({
        entity_ref: query.entityRef,
        version: query.version,
        path: query.path,
        sha256: query.sha256,
        size: query.size,
        part_size: query.partSize,
        created_by: query.createdBy,
      })
      .orderBy('created_at', 'desc')
      .first();
    return row ? toUpload(row) : undefined;
  }

  /** The parts received so far, by part number. */
  async listParts(uploadId: string): Promise<UploadedPart[]> {
    const rows = await this.#db('multipart_upload_parts')
      .where({ upload_id: uploadId })
      .orderBy('part_number');
    return rows.map(r => ({
      number: Number(r.part_number),
      size: Number(r.size),
      sha256: r.sha256,
      ...(r.etag ? { etag: r.etag } : {}),
    }));
  }

  /** Records (or, when re-sent, replaces) a verified part and touches the upload. */
  async putPart(
    uploadId: string,
    part: UploadedPart,
    now: Date,
  ): Promise<void> {
    await this.#db.transaction(async tx => {
      await tx('multipart_upload_parts')
        .insert({
          upload_id: uploadId,
          part_number: part.number,
          size: part.size,
          sha256: part.sha256,
          received_at: now,
          etag: part.etag ?? null,
        })
        .onConflict(['upload_id', 'part_number'])
        .merge(['size', 'sha256', 'received_at', 'etag']);
      await tx('multipart_uploads')
        .where({ id: uploadId })
        .update({ updated_at: now });
    });
  }

  /** Forgets one part while it is re-sent. */
  async deletePart(uploadId: string, partNumber: number): Promise<void> {
    const where = { upload_id: uploadId, part_number: partNumber };
    // Most parts arrive once: a read spares the write (a commit, on SQLite).
    if (await this.#db('multipart_upload_parts').where(where).first()) {
      await this.#db('multipart_upload_parts').where(where).delete();
    }
  }

  /** Deletes an upload and its part rows. */
  async delete(uploadId: string): Promise<void> {
    await this.#db.transaction(async tx => {
      await tx('multipart_upload_parts')
        .where({ upload_id: uploadId })
        .delete();
      await tx('multipart_uploads').where({ id: uploadId }).delete();
    });
  }

  /**
   * Claims the completion of an upload for `leaseMs` (touching it): true
   * unless another completion holds an unexpired lease.
   */
  async claimCompletion(
    uploadId: string,
    token: string,
    now: Date,
    leaseMs: number,
  ): Promise<boolean> {
    const updated = await this.#db('multipart_uploads')
      .where({ id: uploadId })
      .andWhere(noCompletionHolds(now))
      .update({
        completion_token: token,
        completing_until: new Date(now.getTime() + leaseMs),
        updated_at: now,
      });
    return updated > 0;
  }

  /** Extends a completion's lease; false when it is no longer this token's. */
  async renewCompletion(
    uploadId: string,
    token: string,
    now: Date,
    leaseMs: number,
  ): Promise<boolean> {
    const updated = await this.#db('multipart_uploads')
      .where({ id: uploadId, completion_token: token })
      .update({
        completing_until: new Date(now.getTime() + leaseMs),
        updated_at: now,
      });
    return updated > 0;
  }

  /**
   * Touches an upload for a part about to be written: `ok`, or `gone` when
   * it was completed or collected, or `completing` while a completion holds
   * it. The collection only deletes uploads untouched since its cutoff.
   */
  async touchForPart(
    uploadId: string,
    now: Date,
  ): Promise<'ok' | 'gone' | 'completing'> {
    const updated = await this.#db('multipart_uploads')
      .where({ id: uploadId })
      .andWhere(noCompletionHolds(now))
      .update({ updated_at: now });
    if (updated > 0) return 'ok';
    return (await this.get(uploadId)) ? 'completing' : 'gone';
  }

  /**
   * Deletes an upload and its part rows if it is still untouched since
   * `cutoff` and no completion holds it; true when deleted.
   */
  async deleteIfIdle(uploadId: string, cutoff: Date, now: Date) {
    return this.#db.transaction(async tx => {
      const deleted = await tx('multipart_uploads')
        .where({ id: uploadId })
        .andWhere('updated_at', '<', cutoff)
        .andWhere(noCompletionHolds(now))
        .delete();
      if (deleted === 0) return false;
      await tx('multipart_upload_parts')
        .where({ upload_id: uploadId })
        .delete();
      return true;
    });
  }

  /** Ends a completion that failed, so the upload can be completed again. */
  async releaseCompletion(uploadId: string, token: string): Promise<void> {
    await this.#db('multipart_uploads')
      .where({ id: uploadId, completion_token: token })
      .update({ completion_token: null, completing_until: null });
  }

  /** Uploads that received nothing since `cutoff`. */
  async listIdleSince(cutoff: Date): Promise<MultipartUpload[]> {
    const rows = await this.#db<UploadRow>('multipart_uploads').where(
      'updated_at',
      '<',
      cutoff,
    );
    return rows.map(toUpload);
  }
}

/** Where no completion holds an upload at `now` (none, or its lease ran out). */
function noCompletionHolds(now: Date) {
  return (q: Knex.QueryBuilder) =>
    q.whereNull('completing_until').orWhere('completing_until', '<', now);
}

function toUpload(row: UploadRow): MultipartUpload {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    version: row.version,
    path: row.path,
    sha256: row.sha256,
    size: Number(row.size),
    partSize: Number(row.part_size),
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    ...(row.s3_upload_id ? { s3UploadId: row.s3_upload_id } : {}),
    ...(row.completing_until !== null && row.completing_until !== undefined
      ? { completingUntil: new Date(row.completing_until) }
      : {}),
  };
}
