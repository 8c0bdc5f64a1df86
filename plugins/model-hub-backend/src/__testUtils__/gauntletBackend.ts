import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  gauntletPermissions,
  modelHubPermissions,
} from '@internal/plugin-model-hub-common';
import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import { createGauntlet } from '../gauntlet/createGauntlet';
import {
  GauntletRunner,
  GauntletVersionSource,
} from '../gauntlet/GauntletRunner';
import { gauntletPolicyDecision } from '../gauntlet/permissions';
import {
  exampleDataset,
  exampleModel,
  exampleVersions,
} from './gauntletExample';
import { branchPolicy, TestGroups } from './modelHubBackend';
import {
  registerModelResourceType,
  RouteTestBackend,
  startRouteTestBackend,
} from './routeBackend';

/** A running {@link startGauntletRouteBackend}. */
export interface GauntletRouteBackend extends RouteTestBackend {
  runner: GauntletRunner;
}

/**
 * Starts the gauntlet routes alone, wired as in plugin.ts, over the example
 * sentiment classifier's sealed version (official needs accuracy 0.85), with
 * the gauntlet's policy branch and a fake clock.
 */
export async function startGauntletRouteBackend(options: {
  groups: TestGroups;
  /** Catalog entities besides the example model and its data set (an entity with the model's ref replaces it). */
  entities?: Entity[];
  knex?: Knex;
  now?: Date;
  /** The version source (default: the example's sealed version). */
  versions?: GauntletVersionSource;
  /** More `modelHub` config (the governance settings). */
  modelHub: JsonObject;
}): Promise<GauntletRouteBackend> {
  const versions = options.versions ?? (await exampleVersions());
  let runner: GauntletRunner | undefined;
  const backend = await startRouteTestBackend({
    entities: [
      ...((options.entities ?? []).some(
        e => stringifyEntityRef(e) === stringifyEntityRef(exampleModel),
      )
        ? []
        : [exampleModel]),
      exampleDataset,
      ...(options.entities ?? []),
    ],
    groups: options.groups,
    policy: branchPolicy(gauntletPolicyDecision),
    knex: options.knex,
    now: options.now,
    modelHub: {
      ...options.modelHub,
      gauntlet: {
        performance: {
          thresholds: {
            'text-classification': { official: { accuracy: 0.85 } },
          },
        },
      },
    },
    async setup(deps) {
      registerModelResourceType(deps, [
        ...modelHubPermissions,
        ...gauntletPermissions,
      ]);
      const gauntlet = await createGauntlet({ ...deps, versions });
      deps.httpRouter.use(gauntlet.router);
      runner = gauntlet.runner;
    },
  });
  return { ...backend, runner: runner! };
}
