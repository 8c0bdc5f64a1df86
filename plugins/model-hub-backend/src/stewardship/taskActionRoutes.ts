import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  StewardshipActionResult,
  StewardshipConditionKind,
  stewardshipTaskActPermission,
  stewardshipWaiverApprovePermission,
} from '@internal/plugin-model-hub-common';
import { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import {
  assertDecidedInPerson,
  assertIndependentApprover,
} from '../gauntlet/fourEyesGuard';
import {
  grantsMembership,
  sameRef,
  teamDirectory,
} from '../gauntlet/membership';
import { actorRef, audited, parseBody } from '../service/requests';
import { CatalogVisibility } from '../service/visibility';
import {
  isAllowed,
  lower,
  StewardshipActionRouteContext,
} from './actionContext';
import { StewardshipTaskWithHistory } from './types';

/**
 * Task kinds that may be waived. Failing checks are waived in the gauntlet
 * (where a waiver also counts for the tier) and orphans need an owner, so
 * neither is waivable here.
 */
export const WAIVABLE_TASK_KINDS: readonly StewardshipConditionKind[] = [
  'steward-missing',
  'stale-warning',
  'deprecated-migration',
  'deprecated-no-successor',
  'model-card-incomplete',
];

const TASK_ID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DAY_MS = 24 * 60 * 60 * 1000;

const untilField = z.string().trim().min(1).max(64);
const snoozeBody = z
  .object({ until: untilField, reason: z.string().trim().max(2000).optional() })
  .strict();
const waiverBody = z
  .object({ until: untilField, reason: z.string().trim().min(1).max(2000) })
  .strict();

const day = (d: Date) => d.toISOString().slice(0, 10);

/** Parses `until` (a date means the end of that UTC day) within `maxDays`. */
function parseUntil(value: string, now: Date, maxDays: number, what: string) {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const until = new Date(dateOnly ? `${value}T23:59:59.999Z` : value);
  if (Number.isNaN(until.getTime())) {
    throw new InputError(
      `Invalid until "${value}": give a date such as 2027-01-31`,
    );
  }
  if (until.getTime() <= now.getTime()) {
    throw new InputError(
      `Invalid until ${day(until)}: it must be in the future`,
    );
  }
  if (until.getTime() - now.getTime() > maxDays * DAY_MS + DAY_MS) {
    throw new InputError(
      `A ${what} may last at most ${maxDays} days (modelHub.stewardship.actions.max${
        what === 'snooze' ? 'Snooze' : 'Waiver'
      }Days)`,
    );
  }
  return until;
}

/**
 * The task action routes: snooze a task, ask for a waiver and grant it
 * (four-eyes). The caller must see the task and be in its assignee team
 * (or governance); closing the task first makes concurrent actions safe.
 */
export function addTaskActionRoutes(
  router: ReturnType<typeof Router>,
  options: StewardshipActionRouteContext,
) {
  const { httpAuth, auth, permissions, catalog, auditor, tasks, actions } =
    options;
  const { clock, json } = options;
  const visibility = new CatalogVisibility({ catalog, auth });
  const directory = teamDirectory(catalog, auth);
  const authorize = (
    credentials: Parameters<typeof isAllowed>[1],
    permission: Parameters<typeof isAllowed>[2],
  ) => isAllowed(permissions, credentials, permission);

  /** The caller (a person) and the open task they may see, or 404/409. */
  async function openTask(req: Request) {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const id = lower(req.params.id);
    if (!TASK_ID.test(id)) {
      throw new InputError(`Invalid task id "${req.params.id}"`);
    }
    const task = await tasks.getTask(id);
    if (
      !task ||
      !(await visibility.isVisible(task, {
        credentials,
        refOf: t => t.entityRef,
      }))
    ) {
      throw new NotFoundError(`Stewardship task ${id} does not exist`);
    }
    if (task.closedAt) {
      throw new ConflictError(
        `Task ${id} is already closed (${task.closeReason}); reload to see its current state`,
      );
    }
    const actor = actorRef(credentials);
    const { ownershipEntityRefs } = await options.userInfo.getUserInfo(
      credentials,
    );
    return { credentials, task, actor, claims: ownershipEntityRefs.map(lower) };
  }

  /** Snoozing or asking for a waiver: the assignee team or governance. */
  async function assertMayAct(
    ctx: Awaited<ReturnType<typeof openTask>>,
    what: string,
  ) {
    const user = await directory.user(ctx.actor);
    const member = (group: string) =>
      grantsMembership({ actor: ctx.actor, group, user, claims: ctx.claims });
    const allowed =
      (await authorize(ctx.credentials, stewardshipTaskActPermission)) &&
      (member(ctx.task.assignee) || member(options.config.governanceGroup));
    if (!allowed) {
      throw new NotAllowedError(
        `Only members of ${ctx.task.assignee} (or ${options.config.governanceGroup}) may ${what} this task`,
      );
    }
  }

  async function closed(
    task: StewardshipTaskWithHistory,
    reason: string,
  ): Promise<void> {
    if (!(await tasks.closeTask(task.id, reason, clock()))) {
      throw new ConflictError(
        `Task ${task.id} was closed meanwhile; reload to see its current state`,
      );
    }
  }

  router.post('/v1/stewardship/tasks/:id/snooze', json, async (req, res) => {
    const result = await audited(
      auditor,
      req,
      'stewardship-task-snooze',
      { taskId: req.params.id },
      async () => {
        const ctx = await openTask(req);
        await assertMayAct(ctx, 'snooze');
        const body = parseBody(snoozeBody, req.body);
        const now = clock();
        const until = parseUntil(
          body.until,
          now,
          options.config.maxSnoozeDays,
          'snooze',
        );
        const reason = `snoozed until ${day(until)} by ${ctx.actor}${
          body.reason ? `: ${body.reason}` : ''
        }`;
        // Closed first: of two concurrent snoozes only one closes the task,
        // and a crash before the snooze is stored only reopens it later.
        await closed(ctx.task, reason);
        await actions.snooze({
          taskId: ctx.task.id,
          dedupKey: ctx.task.dedupKey,
          entityRef: ctx.task.entityRef,
          until,
          reason: body.reason ?? '',
          actor: ctx.actor,
          now,
        });
        const value: StewardshipActionResult = {
          state: 'closed',
          message: `Snoozed until ${day(
            until,
          )}; it comes back then if still true`,
        };
        return {
          value,
          meta: { model: ctx.task.entityRef, until: until.toISOString() },
        };
      },
    );
    res.json(result);
  });

  router.post('/v1/stewardship/tasks/:id/waiver', json, async (req, res) => {
    const result = await audited(
      auditor,
      req,
      'stewardship-task-waiver-request',
      { taskId: req.params.id },
      async () => {
        const ctx = await openTask(req);
        await assertMayAct(ctx, 'ask to waive');
        if (!WAIVABLE_TASK_KINDS.includes(ctx.task.kind)) {
          throw new NotAllowedError(
            ctx.task.kind === 'check-failing'
              ? 'A failing check is waived in the gauntlet (the Gauntlet card of the model), where the waiver also counts for the tier'
              : `A ${ctx.task.kind} task cannot be waived; it needs an owner or an archive`,
          );
        }
        const body = parseBody(waiverBody, req.body);
        const now = clock();
        const until = parseUntil(
          body.until,
          now,
          options.config.maxWaiverDays,
          'waiver',
        );
        const stored = await actions.requestWaiver({
          taskId: ctx.task.id,
          dedupKey: ctx.task.dedupKey,
          entityRef: ctx.task.entityRef,
          until,
          reason: body.reason,
          actor: ctx.actor,
          now,
        });
        if (!stored) {
          throw new ConflictError(
            `Task ${ctx.task.id} already has a waiver request awaiting approval`,
          );
        }
        const value: StewardshipActionResult = {
          state: 'open',
          message: `Waiver requested until ${day(until)}; someone else in ${
            options.config.governanceGroup
          } must approve it`,
        };
        return {
          value,
          meta: { model: ctx.task.entityRef, until: until.toISOString() },
        };
      },
    );
    res.status(201).json(result);
  });

  router.post(
    '/v1/stewardship/tasks/:id/waiver/approve',
    json,
    async (req, res) => {
      const result = await audited(
        auditor,
        req,
        'stewardship-task-waiver-approve',
        { taskId: req.params.id },
        async () => {
          const ctx = await openTask(req);
          const request = await actions.pendingWaiver(ctx.task.id);
          if (!request) {
            throw new ConflictError(
              `Task ${ctx.task.id} has no waiver request to approve; ask for one first`,
            );
          }
          // Four-eyes first: the one who asked never approves, whatever
          // else they may do; then the policy; then not the owning team.
          if (sameRef(request.requestedBy, ctx.actor)) {
            throw new NotAllowedError(
              `You asked for this waiver, so someone else in ${options.config.governanceGroup} must approve it (four-eyes)`,
            );
          }
          if (
            !(await authorize(
              ctx.credentials,
              stewardshipWaiverApprovePermission,
            ))
          ) {
            throw new NotAllowedError(
              `Only members of ${options.config.governanceGroup} may approve waivers of stewardship tasks`,
            );
          }
          assertDecidedInPerson(
            ctx.credentials,
            `approve the waiver of task ${ctx.task.id}`,
          );
          const user = await directory.user(ctx.actor);
          if (
            !grantsMembership({
              actor: ctx.actor,
              group: options.config.governanceGroup,
              user,
              claims: ctx.claims,
            })
          ) {
            throw new NotAllowedError(
              `Only members of ${options.config.governanceGroup} may approve waivers of stewardship tasks`,
            );
          }
          const model = await catalog.getEntityByRef(ctx.task.entityRef, {
            credentials: ctx.credentials,
          });
          if (model) {
            await assertIndependentApprover({
              actor: ctx.actor,
              ownershipEntityRefs: ctx.claims,
              user,
              requestedBy: request.requestedBy,
              subject: 'this waiver',
              entity: model,
              entityRef: ctx.task.entityRef,
              governanceGroup: options.config.governanceGroup,
              directory,
            });
          }
          const granted = await actions.approveWaiver({
            taskId: ctx.task.id,
            approver: ctx.actor,
            now: clock(),
          });
          if (!granted) {
            throw new ConflictError(
              `The waiver of task ${ctx.task.id} was decided meanwhile; reload`,
            );
          }
          const until = day(new Date(granted.until));
          await closed(
            ctx.task,
            `waived until ${until} by ${ctx.actor} (asked by ${granted.requestedBy}): ${granted.reason}`,
          );
          const value: StewardshipActionResult = {
            state: 'closed',
            message: `Waived until ${until}`,
          };
          return {
            value,
            meta: {
              model: ctx.task.entityRef,
              requestedBy: granted.requestedBy,
            },
          };
        },
      );
      res.json(result);
    },
  );
}
