import { Knex } from 'knex';

/** A sealed version whose gauntlet runs were never queued. */
export interface LostSeal {
  entityRef: string;
  version: string;
}

/**
 * What the lost-seal sweep reads and remembers: versions sealed in a window
 * without any gauntlet run (served by the `(state, sealed_at)` index), minus
 * those a failed attempt put off until later, and the record of those
 * failures (`gauntlet_lost_seal_attempts`).
 */
export class LostSealStore {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /**
   * The query behind {@link LostSealStore.sealedWithoutRuns}, oldest seal
   * first: a range on `sealed_at` under `state = 'sealed'`, so PostgreSQL
   * and SQLite walk the `(state, sealed_at)` index in order and stop at the
   * limit.
   */
  query(options: {
    since: Date;
    before: Date;
    now: Date;
    limit: number;
  }): Knex.QueryBuilder {
    return this.#db('model_versions as v')
      .select('v.entity_ref', 'v.version')
      .where('v.state', 'sealed')
      .andWhere('v.sealed_at', '>=', options.since)
      .andWhere('v.sealed_at', '<', options.before)
      .whereNotExists(q =>
        q
          .select(this.#db.raw('1'))
          .from('gauntlet_runs as r')
          .whereRaw('r.entity_ref = v.entity_ref')
          .andWhereRaw('r.version = v.version'),
      )
      .whereNotExists(q =>
        q
          .select(this.#db.raw('1'))
          .from('gauntlet_lost_seal_attempts as a')
          .whereRaw('a.entity_ref = v.entity_ref')
          .andWhereRaw('a.version = v.version')
          .andWhere('a.next_attempt_at', '>', options.now),
      )
      .orderBy('v.sealed_at')
      .limit(options.limit);
  }

  /**
   * Versions sealed in `[since, before)` without any gauntlet run, oldest
   * first, at most `limit`, leaving out those put off past `now`.
   */
  async sealedWithoutRuns(
    since: Date,
    before: Date,
    limit: number,
    now: Date = before,
  ): Promise<LostSeal[]> {
    const rows = await this.query({ since, before, now, limit });
    return rows.map((r: { entity_ref: string; version: string }) => ({
      entityRef: r.entity_ref,
      version: r.version,
    }));
  }

  /**
   * Records a failed attempt to queue a lost seal's runs and puts the next
   * one off until `retryAt(attempts)` (attempts counts this one). Returns
   * the attempts so far.
   */
  async putOff(
    seal: LostSeal,
    error: string,
    retryAt: (attempts: number) => Date,
  ): Promise<number> {
    return this.#db.transaction(async tx => {
      const previous = await tx('gauntlet_lost_seal_attempts')
        .where({ entity_ref: seal.entityRef, version: seal.version })
        .first();
      const attempts = Number(previous?.attempts ?? 0) + 1;
      await tx('gauntlet_lost_seal_attempts')
        .insert({
          entity_ref: seal.entityRef,
          version: seal.version,
          attempts,
          next_attempt_at: retryAt(attempts),
          last_error: error.slice(0, 1024),
        })
        .onConflict(['entity_ref', 'version'])
        .merge(['attempts', 'next_attempt_at', 'last_error']);
      return attempts;
    });
  }
}
