import { UsageClient } from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import {
  FIRSTS,
  MODEL_DAYS,
  MODEL_TEAMS,
  MODEL_USERS,
  PULLS,
  utcDay,
} from './usageTables';

/**
 * Rows per multi-row INSERT: knex writes SQLite's as a compound SELECT
 * (at most 500 terms); PostgreSQL takes up to 65,535 parameters (7 a row).
 */
const SQLITE_CHUNK = 450;
const PG_CHUNK = 5000;
/** Array types of the non-text columns, for `unnest`. */
const PG_ARRAY_TYPES: Record<string, string> = {
  pulls: 'bigint[]',
  pulled_at: 'timestamptz[]',
};

/** One pull, as recorded. */
export interface PullEvent {
  entityRef: string;
  version: string;
  /** The model's owning team ('' when unknown). */
  owner: string;
  /** User entity ref or service subject. */
  actor: string;
  /** The team the pull counts for ('' when the puller has none). */
  actorTeam: string;
  client: UsageClient;
  pulledAt: Date;
}

/** A team other than the owner that consumed a model for the first time. */
export interface FirstConsumer {
  entityRef: string;
  team: string;
  owner: string;
  via: 'pull' | 'dependsOn';
}

/**
 * The write side of {@link UsageStore}: pulls recorded with their rollups
 * in one transaction, in multi-row statements sized for the database, and
 * the first consumers (by pull or declaration) announced once.
 */
export class PullWrites {
  readonly #db: Knex;

  readonly #chunk: number;

  constructor(db: Knex) {
    this.#db = db;
    this.#chunk = String(db.client.config.client).includes('sqlite')
      ? SQLITE_CHUNK
      : PG_CHUNK;
  }

  /**
   * Records pulls (one or a batch of a million) and their rollups in one
   * transaction. Returns the (model, team) pairs where a team other than
   * the owner pulled for the first time ever.
   */
  async recordPulls(events: PullEvent[]): Promise<FirstConsumer[]> {
    if (events.length === 0) return [];
    type Row = Record<string, string | number>;
    const users = new Map<string, Row>();
    const days = new Map<string, Row>();
    const teams = new Map<string, Row>();
    const firsts = new Map<string, FirstConsumer>();
    const bump = (
      map: Map<string, Row>,
      key: string,
      row: Record<string, string>,
    ) => {
      const found = map.get(key);
      if (!found) {
        map.set(key, { ...row, pulls: 1 });
        return;
      }
      (found.pulls as number)++;
      if (row.last_day && row.last_day > (found.last_day as string)) {
        found.last_day = row.last_day;
      }
      if (row.owner_ref !== undefined) found.owner_ref = row.owner_ref;
    };
    for (const e of events) {
      const day = utcDay(e.pulledAt);
      const owner = e.owner;
      bump(users, `${e.entityRef}\n${e.actor}`, {
        entity_ref: e.entityRef,
        actor: e.actor,
        last_day: day,
      });
      bump(days, `${e.entityRef}\n${day}`, {
        entity_ref: e.entityRef,
        day,
        owner_ref: owner,
      });
      bump(teams, `${e.entityRef}\n${e.actorTeam}`, {
        entity_ref: e.entityRef,
        actor_team: e.actorTeam,
        owner_ref: owner,
        last_day: day,
      });
      if (e.actorTeam && e.actorTeam !== owner) {
        firsts.set(`${e.entityRef}\n${e.actorTeam}`, {
          entityRef: e.entityRef,
          team: e.actorTeam,
          owner,
          via: 'pull',
        });
      }
    }
    return this.#db.transaction(async tx => {
      await this.#insert(
        tx,
        PULLS,
        events.map(e => ({
          entity_ref: e.entityRef,
          version: e.version,
          owner_ref: e.owner,
          actor: e.actor,
          actor_team: e.actorTeam,
          client: e.client,
          pulled_at: e.pulledAt,
        })),
      );
      await this.#insert(tx, MODEL_USERS, [...users.values()], {
        key: ['entity_ref', 'actor'],
        owner: false,
      });
      await this.#insert(tx, MODEL_DAYS, [...days.values()], {
        key: ['entity_ref', 'day'],
        owner: true,
      });
      await this.#insert(tx, MODEL_TEAMS, [...teams.values()], {
        key: ['entity_ref', 'actor_team'],
        owner: true,
      });
      return this.#insertFirsts(
        tx,
        [...firsts.values()],
        events[events.length - 1].pulledAt,
      );
    });
  }

  /**
   * Records teams that declare a dependency (`dependsOn`) on a model;
   * returns those never seen consuming it before (by pull or declaration).
   */
  async recordDeclaredConsumers(
    consumers: Array<Omit<FirstConsumer, 'via'>>,
    at: Date,
  ): Promise<FirstConsumer[]> {
    const pairs = consumers.filter(c => c.team && c.team !== c.owner);
    if (pairs.length === 0) return [];
    return this.#db.transaction(tx =>
      this.#insertFirsts(
        tx,
        pairs.map(c => ({ ...c, via: 'dependsOn' as const })),
        at,
      ),
    );
  }

  async #insertFirsts(
    tx: Knex.Transaction,
    firsts: FirstConsumer[],
    at: Date,
  ): Promise<FirstConsumer[]> {
    const inserted: FirstConsumer[] = [];
    for (let i = 0; i < firsts.length; i += this.#chunk) {
      const chunk = firsts.slice(i, i + this.#chunk);
      // Only rows this transaction inserted come back: a team is announced
      // once, whichever replica sees it first.
      const rows: Array<{ entity_ref: string; team: string }> = await tx(FIRSTS)
        .insert(
          chunk.map(f => ({
            entity_ref: f.entityRef,
            team: f.team,
            via: f.via,
            first_at: at,
          })),
        )
        .onConflict(['entity_ref', 'team'])
        .ignore()
        .returning(['entity_ref', 'team']);
      const fresh = new Set(rows.map(r => `${r.entity_ref}\n${r.team}`));
      inserted.push(
        ...chunk.filter(f => fresh.has(`${f.entityRef}\n${f.team}`)),
      );
    }
    return inserted;
  }

  /**
   * Inserts rows; with `upsert`, an existing row gets `pulls` added, the
   * later `last_day` (when the table has one) and the new owner. On
   * PostgreSQL a chunk is one statement over `unnest` arrays (one parameter
   * per column rather than per value: parsing and binding stay cheap).
   */
  async #insert(
    tx: Knex.Transaction,
    table: string,
    rows: Array<Record<string, string | number | Date>>,
    upsert?: { key: string[]; owner: boolean },
  ) {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]);
    const pg = this.#chunk === PG_CHUNK;
    // Column = expression pairs of the ON CONFLICT update, as raw SQL with
    // ?? identifiers (existing row qualified by the table name).
    const sets: Array<[string, string, string[]]> = [];
    if (upsert) {
      sets.push(['pulls', '?? + excluded.??', [`${table}.pulls`, 'pulls']]);
      if (columns.includes('last_day')) {
        sets.push([
          'last_day',
          'case when excluded.?? > ?? then excluded.?? else ?? end',
          ['last_day', `${table}.last_day`, 'last_day', `${table}.last_day`],
        ]);
      }
      if (upsert.owner) sets.push(['owner_ref', 'excluded.??', ['owner_ref']]);
    }
    for (let i = 0; i < rows.length; i += this.#chunk) {
      const chunk = rows.slice(i, i + this.#chunk);
      if (pg) {
        const casts = columns.map(c => PG_ARRAY_TYPES[c] ?? 'text[]');
        const conflict = upsert
          ? ` on conflict (${upsert.key
              .map(() => '??')
              .join(', ')}) do update set ${sets
              .map(([, expr]) => `?? = ${expr}`)
              .join(', ')}`
          : '';
        await tx.raw(
          `insert into ?? (${columns
            .map(() => '??')
            .join(', ')}) select * from unnest(${casts
            .map(c => `?::${c}`)
            .join(', ')})${conflict}`,
          [
            table,
            ...columns,
            ...columns.map(c => chunk.map(r => r[c])),
            ...(upsert
              ? [
                  ...upsert.key,
                  ...sets.flatMap(([column, , ids]) => [column, ...ids]),
                ]
              : []),
          ] as unknown as Knex.RawBinding[],
        );
      } else if (upsert) {
        await tx(table)
          .insert(chunk)
          .onConflict(upsert.key)
          .merge(
            Object.fromEntries(
              sets.map(([column, expr, ids]) => [column, tx.raw(expr, ids)]),
            ),
          );
      } else {
        await tx(table).insert(chunk);
      }
    }
  }
}
