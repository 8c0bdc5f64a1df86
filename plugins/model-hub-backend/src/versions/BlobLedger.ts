import { Knex } from 'knex';

/**
 * The ledger of stored artifact blobs (`artifact_blobs`): uploads claim a
 * blob before storing its bytes; the collector deletes only blobs no
 * version file references and no upload claimed for its grace period.
 */
export class BlobLedger {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /**
   * Claims `sha256` for an upload: records the blob (idempotent) and marks
   * it referenced now. Call **before** the bytes are stored, so that the
   * collector, which only removes blobs unclaimed for its grace period and
   * holds the row while it deletes the bytes, never deletes a blob an upload
   * is about to reference.
   */
  async recordBlob(sha256: string, size: number): Promise<void> {
    const now = new Date();
    await this.#db('artifact_blobs')
      .insert({ sha256, size, created_at: now, last_referenced_at: now })
      .onConflict('sha256')
      .merge(['last_referenced_at']);
  }

  /**
   * Claims a blob already recorded (a link by content): marks it referenced
   * now, so the collector keeps it for its grace period. False when it is no
   * longer recorded (collected since the caller saw it); a collection under
   * way finishes first (the row lock on PostgreSQL, the writer lock on
   * SQLite).
   */
  async claimRecordedBlob(sha256: string): Promise<boolean> {
    const updated = await this.#db('artifact_blobs')
      .where({ sha256 })
      .update({ last_referenced_at: new Date() });
    return updated > 0;
  }

  /**
   * Blobs no version file (draft or sealed) references and no upload claimed
   * since `cutoff`: candidates for garbage collection.
   */
  async listUnreferencedBlobs(cutoff: Date, limit = 1000): Promise<string[]> {
    const rows = await this.#db('artifact_blobs as b')
      .where('b.last_referenced_at', '<', cutoff)
      .whereNotExists(
        this.#db('model_version_files as f')
          .select(this.#db.raw('1'))
          .whereRaw('f.sha256 = b.sha256'),
      )
      .orderBy('b.last_referenced_at')
      .limit(limit)
      .select('b.sha256');
    return rows.map(r => r.sha256 as string);
  }

  /**
   * Deletes the record of a blob and, in the same transaction, its bytes
   * (`deleteBytes`), but only while it is still unreferenced and unclaimed
   * since `cutoff`. A concurrent claim waits for this transaction (row lock
   * on PostgreSQL, the writer lock on SQLite) and then stores the bytes
   * again; a failed byte deletion keeps the record. True when deleted.
   */
  async deleteBlobIfUnreferenced(
    sha256: string,
    cutoff: Date,
    deleteBytes: () => Promise<void>,
  ): Promise<boolean> {
    return this.#db.transaction(async tx => {
      const deleted = await tx('artifact_blobs as b')
        .where('b.sha256', sha256)
        .where('b.last_referenced_at', '<', cutoff)
        .whereNotExists(
          tx('model_version_files as f')
            .select(tx.raw('1'))
            .whereRaw('f.sha256 = b.sha256'),
        )
        .delete();
      if (deleted === 0) return false;
      await deleteBytes();
      return true;
    });
  }

  /** Whether a blob is recorded, with its size. */
  async getBlob(sha256: string): Promise<{ size: number } | undefined> {
    const row = await this.#db('artifact_blobs').where({ sha256 }).first();
    return row ? { size: Number(row.size) } : undefined;
  }
}
