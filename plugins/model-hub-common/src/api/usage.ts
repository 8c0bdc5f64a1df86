import type { CompoundEntityRef } from '@backstage/catalog-model';
import { parseRef } from './entityRefs';
import { modelRefPath } from './paths';

/*
 * Wire types of the usage routes (`/v1/models/{ns}/{name}/usage`,
 * `/v1/usage/...`): how often models are pulled, by how many people and
 * teams, and who declares a dependency on them in the catalog.
 */

/**
 * The header a hub client sends to say what it is (`cli`, `scaffolder`,
 * `hf`, `browser`); without it the hub classifies the user agent.
 */
export const MODEL_HUB_CLIENT_HEADER = 'x-model-hub-client';

/** The clients a pull is attributed to (anything else counts as `api`). */
export const usageClients = [
  'cli',
  'scaffolder',
  'hf',
  'browser',
  'api',
] as const;

/** Through which client a pull happened. */
export type UsageClient = (typeof usageClients)[number];

/** The windows usage is ranked over. */
export type UsageWindow = '30d' | 'all';

/** What models are ranked by. */
export type UsageRankBy = 'pulls' | 'teams' | 'consumers';

/** A catalog entity (Component or System) that declares `dependsOn` a model. */
export interface DeclaredConsumer {
  entityRef: string;
  /** Its owner (normally a group), lower case. */
  owner?: string;
}

/** One day of a pull series. */
export interface UsageDay {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  pulls: number;
}

/** Usage of one model: the answer of `GET /v1/models/{ns}/{name}/usage`. */
export interface ModelUsage {
  entityRef: string;
  /** The owning team, as recorded with the latest pull or read from the catalog. */
  owner?: string;
  pulls30d: number;
  pullsAllTime: number;
  users30d: number;
  usersAllTime: number;
  /** Distinct teams that pulled (the owner's team included). */
  teams30d: number;
  teamsAllTime: number;
  /** Distinct teams other than the owner's that pulled: cross-team reuse. */
  crossTeams30d: number;
  crossTeamsAllTime: number;
  /** Every team that ever pulled, lower-case refs. */
  consumingTeams: string[];
  /** Components and Systems that declare `dependsOn` this model. */
  declaredConsumers: DeclaredConsumer[];
  /** Teams other than the owner's that pull or declare a dependency. */
  usedByTeams: number;
  /** The last 90 UTC days, oldest first, zeros included. */
  daily: UsageDay[];
}

/** One model of a leaderboard. */
export interface UsageRankedModel {
  entityRef: string;
  owner?: string;
  pulls: number;
  /** Distinct teams that pulled (the owner's included). */
  teams: number;
  crossTeams: number;
  declaredConsumers: number;
}

/** One owning team of a leaderboard: how many other teams build on its models. */
export interface UsageRankedTeam {
  team: string;
  /** 1-based rank by `reusingTeams`, then pulls. */
  rank: number;
  /** Its models that were pulled in the window. */
  models: number;
  /** Distinct other teams that pulled any of its models. */
  reusingTeams: number;
  pulls: number;
}

/** The answer of `GET /v1/usage/top`. */
export interface UsageTop {
  window: UsageWindow;
  by: UsageRankBy;
  models: UsageRankedModel[];
  teams: UsageRankedTeam[];
}

/** The answer of `GET /v1/usage/teams/{ns}/{name}`: a team's published models and their reuse. */
export interface TeamUsage {
  team: string;
  window: UsageWindow;
  /** The team's rank among owning teams (absent when none of its models was pulled). */
  rank?: number;
  /** How many owning teams are ranked. */
  rankedTeams: number;
  reusingTeams: number;
  pulls: number;
  models: UsageRankedModel[];
}

/** Paths of the usage routes (relative to the hub's base URL). */
export const modelHubUsagePaths = {
  model(ref: CompoundEntityRef | string): string {
    return `/v1/models/${modelRefPath(ref)}/usage`;
  },
  top(
    options: { window?: UsageWindow; by?: UsageRankBy; limit?: number } = {},
  ): string {
    const q = new URLSearchParams();
    if (options.window) q.set('window', options.window);
    if (options.by) q.set('by', options.by);
    if (options.limit !== undefined) q.set('limit', String(options.limit));
    const s = q.toString();
    return `/v1/usage/top${s ? `?${s}` : ''}`;
  },
  team(ref: string, window: UsageWindow = '30d'): string {
    const r = parseRef(ref, {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
    return `/v1/usage/teams/${encodeURIComponent(
      r.namespace,
    )}/${encodeURIComponent(r.name)}?window=${window}`;
  },
};

/** Models of one task whose names, titles or tags overlap: possible duplicate effort. */
export interface DuplicateEffortGroup {
  task: string;
  /** Two or more models, most used first. */
  models: UsageRankedModel[];
}

/** The answer of `GET /v1/usage/duplicates`. */
export interface DuplicateEffortReport {
  window: UsageWindow;
  groups: DuplicateEffortGroup[];
}

/** Path of the duplicate-effort report. */
export function usageDuplicatesPath(window: UsageWindow = 'all'): string {
  return `/v1/usage/duplicates?window=${window}`;
}
