import {
  UsageDay,
  UsageRankedModel,
  UsageRankedTeam,
  UsageWindow,
} from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import {
  daysBefore,
  MODEL_DAYS,
  MODEL_TEAMS,
  MODEL_USERS,
  PULLS,
} from './usageTables';

/** Per-model counts of one window, before catalog data is joined in. */
export type StoredModelStats = Omit<UsageRankedModel, 'declaredConsumers'>;

/**
 * The read side of {@link UsageStore}: whether someone pulled, a model's
 * counts and daily series, and the model and team rankings of a window, all
 * from the rollups (the same cost whether raw events were deleted or not).
 */
export class UsageQueries {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
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
