import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  UsageClient,
  UsageDay,
  UsageRankedModel,
  UsageRankedTeam,
  UsageWindow,
} from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import { migrateModelHub } from '../database/migrate';

const PULLS = 'model_hub_usage_pulls';
const MODEL_USERS = 'model_hub_usage_model_users';
const MODEL_DAYS = 'model_hub_usage_model_days';
const MODEL_TEAMS = 'model_hub_usage_model_teams';
const FIRSTS = 'model_hub_usage_first_consumers';

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

/** Per-model counts of one window, before catalog data is joined in. */
export type StoredModelStats = Omit<UsageRankedModel, 'declaredConsumers'>;

/** The UTC day of `date`, `YYYY-MM-DD`. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The UTC day `days` before the day of `date`. */
export function daysBefore(date: Date, days: number): string {
  return utcDay(new Date(date.getTime() - days * 86_400_000));
}

/**
 * Pull events and their rollups. Raw events are kept for the retention;
 * the rollups (per model, day, puller and team; per model and day; per
 * model and team) are kept for good and answer every read, so reads cost
 * the same whether raw events were deleted or not.
 */
export class UsageStore {
  readonly #db: Knex;

  /** Connects to the plugin database and runs the migrations (unless skipped). */
  static async create(options: {
    database: DatabaseService;
  }): Promise<UsageStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await migrateModelHub(client);
    }
    return new UsageStore(client);
  }

  readonly #chunk: number;

  private constructor(db: Knex) {
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

  /**
   * True when `actor` pulled this version of the model at or after `since`
   * (a range of the time index: the pull window holds few events).
   */
  async pulledSince(
    entityRef: string,
    actor: string,
    version: string,
    since: Date,
  ): Promise<boolean> {
    const row = await this.#db(PULLS)
      .where({ entity_ref: entityRef, actor, version })
      .andWhere('pulled_at', '>=', since)
      .first('id');
    return row !== undefined;
  }

  /** True when `actor` ever pulled the model (read from the rollup: survives retention). */
  async hasPulled(entityRef: string, actor: string): Promise<boolean> {
    const row = await this.#db(MODEL_USERS)
      .where({ entity_ref: entityRef, actor })
      .first('pulls');
    return row !== undefined;
  }

  /** Deletes raw events pulled before `before`; the rollups stay. */
  async deleteRawBefore(before: Date): Promise<number> {
    return this.#db(PULLS).where('pulled_at', '<', before).delete();
  }

  /** How many raw events are kept (for tests and the bench). */
  async countRaw(): Promise<number> {
    const row = await this.#db(PULLS).count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  /**
   * Counts of one model over the last 30 days and all time, and its last
   * 90 days: four statements run together (the model page asks for it on
   * every load; it was eight, one after another).
   */
  async modelUsage(entityRef: string, now: Date) {
    const db = this.#db;
    const d30 = daysBefore(now, 29);
    const d90 = daysBefore(now, 89);
    const ofModel = (table: string) =>
      db(table).where({ entity_ref: entityRef });
    const [[pulls], series, [users], teams] = await Promise.all([
      ofModel(MODEL_DAYS).select(
        db.raw('coalesce(sum(pulls), 0) as "all"'),
        db.raw(
          'coalesce(sum(case when day >= ? then pulls else 0 end), 0) as "recent"',
          [d30],
        ),
        // The owner the latest pull recorded.
        ofModel(MODEL_DAYS)
          .orderBy('day', 'desc')
          .limit(1)
          .select('owner_ref')
          .as('owner_ref'),
      ) as Promise<
        Array<{ all: unknown; recent: unknown; owner_ref: string | null }>
      >,
      ofModel(MODEL_DAYS)
        .andWhere('day', '>=', d90)
        .select('day', 'pulls') as Promise<
        Array<{ day: string; pulls: number }>
      >,
      // "In the window" = the latest pull is in it.
      ofModel(MODEL_USERS).select(
        db.raw('count(*) as "all"'),
        db.raw(
          'coalesce(sum(case when last_day >= ? then 1 else 0 end), 0) as "recent"',
          [d30],
        ),
      ) as Promise<Array<{ all: unknown; recent: unknown }>>,
      ofModel(MODEL_TEAMS)
        .andWhere('actor_team', '<>', '')
        .orderBy('actor_team')
        .select('actor_team', 'owner_ref', 'last_day') as Promise<
        Array<{ actor_team: string; owner_ref: string; last_day: string }>
      >,
    ]);
    const count = (since?: string) => {
      const inWindow = since ? teams.filter(t => t.last_day >= since) : teams;
      return {
        teams: inWindow.length,
        cross: inWindow.filter(t => t.actor_team !== t.owner_ref).length,
      };
    };
    const recent = count(d30);
    const all = count();
    const byDay = new Map(series.map(s => [s.day, Number(s.pulls)]));
    const daily: UsageDay[] = [];
    for (let i = 89; i >= 0; i--) {
      const day = daysBefore(now, i);
      daily.push({ day, pulls: byDay.get(day) ?? 0 });
    }
    return {
      owner: pulls?.owner_ref || undefined,
      pulls30d: Number(pulls.recent),
      pullsAllTime: Number(pulls.all),
      users30d: Number(users.recent),
      usersAllTime: Number(users.all),
      teams30d: recent.teams,
      teamsAllTime: all.teams,
      crossTeams30d: recent.cross,
      crossTeamsAllTime: all.cross,
      consumingTeams: teams.map(t => t.actor_team),
      daily,
    };
  }

  /** Every model that was ever pulled. */
  async pulledModels(): Promise<string[]> {
    const rows: Array<{ entity_ref: string }> = await this.#db(MODEL_TEAMS)
      .distinct('entity_ref')
      .orderBy('entity_ref');
    return rows.map(r => r.entity_ref);
  }

  /**
   * Per-model pulls, teams and cross-team teams over a window (unsorted),
   * optionally only for `models`.
   */
  async modelStats(
    window: UsageWindow,
    now: Date,
    models?: string[],
  ): Promise<StoredModelStats[]> {
    const db = this.#db;
    const since = window === '30d' ? daysBefore(now, 29) : undefined;
    const only = (q: Knex.QueryBuilder) => {
      if (models) q.whereIn('entity_ref', models);
      if (since) q.andWhere('day', '>=', since);
      return q;
    };
    // All time sums the small per-team rollup; a window sums its days.
    const pulls: Array<{ entity_ref: string; owner: string; pulls: string }> =
      await (since ? only(db(MODEL_DAYS)) : db(MODEL_TEAMS))
        .modify(q => {
          if (!since && models) q.whereIn('entity_ref', models);
        })
        .groupBy('entity_ref')
        .select(
          'entity_ref',
          db.raw('max(owner_ref) as owner'),
          db.raw('sum(pulls) as pulls'),
        );
    // One row per (model, team): teams in the window are those whose
    // latest pull is in it.
    const teams: Array<{
      entity_ref: string;
      teams: string;
      cross_teams: string;
    }> = await db(MODEL_TEAMS)
      .where('actor_team', '<>', '')
      .modify(q => {
        if (models) q.whereIn('entity_ref', models);
        if (since) q.andWhere('last_day', '>=', since);
      })
      .groupBy('entity_ref')
      .select(
        'entity_ref',
        db.raw('count(*) as teams'),
        db.raw(
          'sum(case when actor_team <> owner_ref then 1 else 0 end) as cross_teams',
        ),
      );
    const byRef = new Map(teams.map(t => [t.entity_ref, t]));
    return pulls.map(p => ({
      entityRef: p.entity_ref,
      owner: p.owner || undefined,
      pulls: Number(p.pulls),
      teams: Number(byRef.get(p.entity_ref)?.teams ?? 0),
      crossTeams: Number(byRef.get(p.entity_ref)?.cross_teams ?? 0),
    }));
  }

  /**
   * Owning teams ranked by how many other teams pulled their models
   * (then by pulls), optionally only counting `models`.
   */
  async teamRanking(
    window: UsageWindow,
    now: Date,
    models?: string[],
  ): Promise<UsageRankedTeam[]> {
    const db = this.#db;
    const since = window === '30d' ? daysBefore(now, 29) : undefined;
    const reuse: Array<{ owner_ref: string; reusing: string }> = await db(
      MODEL_TEAMS,
    )
      .where('owner_ref', '<>', '')
      .andWhere('actor_team', '<>', '')
      .andWhereRaw('actor_team <> owner_ref')
      .modify(q => {
        if (models) q.whereIn('entity_ref', models);
        if (since) q.andWhere('last_day', '>=', since);
      })
      .groupBy('owner_ref')
      .select('owner_ref', db.raw('count(distinct actor_team) as reusing'));
    const reusing = new Map(reuse.map(r => [r.owner_ref, Number(r.reusing)]));
    const rows: Array<{ owner_ref: string; models: string; pulls: string }> =
      await db(since ? MODEL_DAYS : MODEL_TEAMS)
        .where('owner_ref', '<>', '')
        .modify(q => {
          if (models) q.whereIn('entity_ref', models);
          if (since) q.andWhere('day', '>=', since);
        })
        .groupBy('owner_ref')
        .select(
          'owner_ref',
          db.raw('count(distinct entity_ref) as models'),
          db.raw('sum(pulls) as pulls'),
        );
    return rows
      .map(r => ({
        team: r.owner_ref,
        models: Number(r.models),
        reusingTeams: reusing.get(r.owner_ref) ?? 0,
        pulls: Number(r.pulls),
        rank: 0,
      }))
      .sort(
        (a, b) =>
          b.reusingTeams - a.reusingTeams ||
          b.pulls - a.pulls ||
          a.team.localeCompare(b.team),
      )
      .map((t, i) => ({ ...t, rank: i + 1 }));
  }
}
