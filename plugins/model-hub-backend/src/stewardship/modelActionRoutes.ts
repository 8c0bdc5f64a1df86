import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  modelArchivePermission,
  ModelHubModelPermission,
  modelStewardReassignPermission,
  StewardshipActionResult,
  StewardshipConditionKind,
} from '@internal/plugin-model-hub-common';
import { isDepartedUser } from '@internal/plugin-model-hub-node';
import { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { accessModel } from '../service/modelAccess';
import { accessOwnedModel } from '../service/ownedModel';
import { liveModelLookup } from '../service/cachedEntityLookup';
import { audited, modelRefParam, parseBody } from '../service/requests';
import { lower, StewardshipActionRouteContext } from './actionContext';

const MODEL = '/v1/stewardship/models/:namespace/:name';

const stewardBody = z
  .object({ steward: z.string().trim().min(1).max(255) })
  .strict();
const archiveBody = z
  .object({ reason: z.string().trim().min(1).max(2000) })
  .strict();

/**
 * The model action routes of the owning team: name a model's steward in the
 * hub and archive a model, each closing the tasks it settles and waking the
 * engine; and read the hub's overrides of a model.
 */
export function addModelActionRoutes(
  router: ReturnType<typeof Router>,
  options: StewardshipActionRouteContext,
) {
  const { httpAuth, catalog, auditor, tasks, actions } = options;
  const { clock, json } = options;
  const lookupModel = options.modelLookup ?? liveModelLookup(catalog);

  /** The model as a signed-in person sees it, with an owner-only permission. */
  const ownedModel = (req: Request, permission: ModelHubModelPermission) =>
    accessOwnedModel(options, req, permission, { allow: ['user'] });

  /** Closes the model's open tasks of the given kinds (all when none given). */
  async function closeModelTasks(
    entityRef: string,
    reason: string,
    kinds?: StewardshipConditionKind[],
  ): Promise<number> {
    const open = await tasks.listTasks({ entityRef, state: 'open' });
    let count = 0;
    for (const task of open) {
      if (kinds && !kinds.includes(task.kind)) continue;
      if (await tasks.closeTask(task.id, reason, clock())) count += 1;
    }
    return count;
  }

  router.put(`${MODEL}/steward`, json, async (req, res) => {
    const result = await audited(
      auditor,
      req,
      'stewardship-steward-reassign',
      { model: modelRefParam(req) },
      async () => {
        const ctx = await ownedModel(req, modelStewardReassignPermission);
        const body = parseBody(stewardBody, req.body);
        let steward: string;
        try {
          steward = lower(
            stringifyEntityRef(
              parseEntityRef(body.steward, {
                defaultKind: 'user',
                defaultNamespace: ctx.entity.metadata.namespace ?? 'default',
              }),
            ),
          );
        } catch (error) {
          throw new InputError(`Invalid steward: ${(error as Error).message}`);
        }
        const user = await catalog.getEntityByRef(steward, {
          credentials: ctx.credentials,
        });
        if (!user || lower(user.kind) !== 'user') {
          throw new InputError(
            `Invalid steward: ${steward} is not a User in the catalog`,
          );
        }
        if (isDepartedUser(user)) {
          throw new InputError(
            `Invalid steward: ${steward} has left the organisation`,
          );
        }
        await actions.setSteward({
          entityRef: ctx.entityRef,
          steward,
          actor: ctx.actor,
          now: clock(),
        });
        await closeModelTasks(
          ctx.entityRef,
          `steward reassigned to ${steward} by ${ctx.actor}`,
          ['steward-missing'],
        );
        await options.trigger?.(`steward of ${ctx.entityRef} reassigned`);
        const value: StewardshipActionResult = {
          state: 'closed',
          message: `${steward} is now the steward of ${ctx.entityRef} in the hub`,
        };
        return { value, meta: { steward } };
      },
    );
    res.json(result);
  });

  router.post(`${MODEL}/archive`, json, async (req, res) => {
    const result = await audited(
      auditor,
      req,
      'stewardship-model-archive',
      { model: modelRefParam(req) },
      async () => {
        const ctx = await ownedModel(req, modelArchivePermission);
        const body = parseBody(archiveBody, req.body);
        await actions.archive({
          entityRef: ctx.entityRef,
          reason: body.reason,
          actor: ctx.actor,
          now: clock(),
        });
        const count = await closeModelTasks(
          ctx.entityRef,
          `model archived in the hub by ${ctx.actor}: ${body.reason}`,
        );
        await options.trigger?.(`${ctx.entityRef} archived`);
        const value: StewardshipActionResult = {
          state: 'closed',
          message: `Archived ${ctx.entityRef}; ${count} open task(s) closed`,
        };
        return { value, meta: { closedTasks: count } };
      },
    );
    res.json(result);
  });

  router.get(`${MODEL}/overrides`, async (req, res) => {
    const { entityRef } = await accessModel({ httpAuth, lookupModel }, req);
    res.json(await actions.getOverrides(entityRef));
  });
}
