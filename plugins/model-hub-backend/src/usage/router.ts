import {
  AuthService,
  BackstageCredentials,
  HttpAuthService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  DuplicateEffortReport,
  ModelUsage,
  TeamUsage,
  UsageRankBy,
  UsageRankedModel,
  UsageTop,
} from '@internal/plugin-model-hub-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { parseQuery } from '../service/requests';
import { accessModel } from '../service/modelAccess';
import { CatalogVisibility } from '../service/visibility';
import {
  declaredConsumers,
  declaredConsumersOf,
  ownerOf,
} from './catalogUsage';
import { OverlapGroup } from './duplicates';
import { UsageStore } from './UsageStore';
import { liveModelLookup, ModelLookup } from '../service/cachedEntityLookup';

/** Dependencies of {@link createUsageRouter}. */
export interface UsageRouterOptions {
  store: UsageStore;
  httpAuth: HttpAuthService;
  auth: AuthService;
  catalog: CatalogService;
  userInfo?: UserInfoService;
  clock?: () => Date;
  /** The model lookup of the model's usage route (default: the catalog, live). */
  modelLookup?: ModelLookup;
  /** Same-task models alike in purpose that the caller may read (the similar-models index). */
  overlaps(credentials: BackstageCredentials): Promise<{
    groups: OverlapGroup[];
    models: Map<string, Entity>;
  }>;
}

const topQuery = z.object({
  window: z.enum(['30d', 'all']).default('30d'),
  by: z.enum(['pulls', 'teams', 'consumers']).default('pulls'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

const TOP_HINT = 'window=30d|all, by=pulls|teams|consumers, limit=1..100';
const teamQuery = z.object({ window: z.enum(['30d', 'all']).default('30d') });

/** How each `by` orders models (ties: pulls, then ref). */
const RANKINGS: Record<
  UsageRankBy,
  (a: UsageRankedModel, b: UsageRankedModel) => number
> = {
  pulls: (a, b) => b.pulls - a.pulls,
  teams: (a, b) => b.crossTeams - a.crossTeams || b.teams - a.teams,
  consumers: (a, b) => b.declaredConsumers - a.declaredConsumers,
};

const lower = (ref: string) => ref.toLocaleLowerCase('en-US');

/**
 * Usage routes: a model's pull metrics and declared consumers, the
 * leaderboards of most reused models and most reused teams, and one team's
 * standing. Everything is filtered by what the caller may read in the
 * catalog: hidden models are neither listed nor counted.
 */
export async function createUsageRouter(
  options: UsageRouterOptions,
): Promise<express.Router> {
  const { store, httpAuth, catalog } = options;
  const now = options.clock ?? (() => new Date());
  const visibility = new CatalogVisibility(options);
  const lookupModel = options.modelLookup ?? liveModelLookup(catalog);
  const router = Router();

  /** The pulled models (and models with declared consumers) the caller may read. */
  async function visibleModels(req: Request) {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const consumers = await declaredConsumers(catalog, credentials);
    const refs = [
      ...new Set([...(await store.pulledModels()), ...consumers.keys()]),
    ];
    const visible = await visibility.filter(refs, {
      credentials,
      refOf: r => r,
    });
    return { credentials, consumers, visible };
  }

  router.get('/v1/models/:namespace/:name/usage', async (req, res) => {
    const { credentials, entity, entityRef } = await accessModel(
      { httpAuth, lookupModel },
      req,
    );
    const stored = await store.modelUsage(entityRef, now());
    const consumers = await declaredConsumersOf(catalog, credentials, entity);
    const owner = ownerOf(entity) ?? stored.owner;
    const others = new Set(
      [...stored.consumingTeams, ...consumers.map(c => c.owner ?? '')].filter(
        t => t && t !== owner,
      ),
    );
    const body: ModelUsage = {
      entityRef,
      ...stored,
      owner,
      declaredConsumers: consumers,
      usedByTeams: others.size,
    };
    res.json(body);
  });

  router.get('/v1/usage/top', async (req, res) => {
    const { window, by, limit } = parseQuery(topQuery, req.query, TOP_HINT);
    const { consumers, visible } = await visibleModels(req);
    const stats = new Map(
      (await store.modelStats(window, now(), visible)).map(s => [
        s.entityRef,
        s,
      ]),
    );
    const models: UsageRankedModel[] = visible
      .map(ref => {
        const s = stats.get(ref);
        return {
          entityRef: ref,
          owner: s?.owner,
          pulls: s?.pulls ?? 0,
          teams: s?.teams ?? 0,
          crossTeams: s?.crossTeams ?? 0,
          declaredConsumers: consumers.get(ref)?.length ?? 0,
        };
      })
      .filter(m => (by === 'consumers' ? m.declaredConsumers : m.pulls) > 0)
      .sort(
        (a, b) =>
          RANKINGS[by](a, b) ||
          b.pulls - a.pulls ||
          a.entityRef.localeCompare(b.entityRef),
      )
      .slice(0, limit);
    const teams = (await store.teamRanking(window, now(), visible)).slice(
      0,
      limit,
    );
    const body: UsageTop = { window, by, models, teams };
    res.json(body);
  });

  router.get('/v1/usage/duplicates', async (req, res) => {
    const { window } = parseQuery(teamQuery, req.query, 'window=30d|all');
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    // Only models the caller may read are compared and listed.
    const { groups, models } = await options.overlaps(credentials);
    const refs = groups.flatMap(g => g.refs);
    const stats = new Map(
      (await store.modelStats(window, now(), refs)).map(s => [s.entityRef, s]),
    );
    const consumers = await declaredConsumers(catalog, credentials, refs);
    const owners = new Map([...models].map(([ref, e]) => [ref, ownerOf(e)]));
    const body: DuplicateEffortReport = {
      window,
      groups: groups.map(g => ({
        task: g.task,
        models: g.refs
          .map(ref => ({
            entityRef: ref,
            owner: owners.get(ref),
            pulls: stats.get(ref)?.pulls ?? 0,
            teams: stats.get(ref)?.teams ?? 0,
            crossTeams: stats.get(ref)?.crossTeams ?? 0,
            declaredConsumers: consumers.get(ref)?.length ?? 0,
          }))
          .sort((a, b) => RANKINGS.teams(a, b) || b.pulls - a.pulls),
      })),
    };
    res.json(body);
  });

  router.get('/v1/usage/teams/:namespace/:name', async (req, res) => {
    const { window } = parseQuery(teamQuery, req.query, 'window=30d|all');
    const team = lower(
      stringifyEntityRef({
        kind: 'group',
        namespace: req.params.namespace,
        name: req.params.name,
      }),
    );
    const { credentials, consumers, visible } = await visibleModels(req);
    const { items: owned } = await catalog.getEntities(
      {
        filter: { kind: 'Model', 'relations.ownedBy': team },
        fields: ['kind', 'metadata.name', 'metadata.namespace'],
      },
      { credentials },
    );
    const ranking = await store.teamRanking(window, now(), visible);
    const mine = ranking.find(t => t.team === team);
    const ownedRefs = owned.map(e => lower(stringifyEntityRef(e)));
    const stats = new Map(
      (await store.modelStats(window, now(), ownedRefs)).map(s => [
        s.entityRef,
        s,
      ]),
    );
    const body: TeamUsage = {
      team,
      window,
      rank: mine?.rank,
      rankedTeams: ranking.length,
      reusingTeams: mine?.reusingTeams ?? 0,
      pulls: mine?.pulls ?? 0,
      models: ownedRefs
        .map(ref => ({
          entityRef: ref,
          owner: team,
          pulls: stats.get(ref)?.pulls ?? 0,
          teams: stats.get(ref)?.teams ?? 0,
          crossTeams: stats.get(ref)?.crossTeams ?? 0,
          declaredConsumers: consumers.get(ref)?.length ?? 0,
        }))
        .sort(
          (a, b) =>
            b.crossTeams - a.crossTeams ||
            b.pulls - a.pulls ||
            a.entityRef.localeCompare(b.entityRef),
        ),
    };
    res.json(body);
  });

  return router;
}
