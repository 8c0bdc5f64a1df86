import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { stewardshipPermissions } from '@internal/plugin-model-hub-common';
import request from 'supertest';
import { CapturedAuditEvent } from '../__testUtils__/auditor';
import { branchPolicy } from '../__testUtils__/modelHubBackend';
import {
  registerModelResourceType,
  RouteTestBackend,
  startRouteTestBackend,
} from '../__testUtils__/routeBackend';
import { readStewardshipActionsConfig } from './actionsConfig';
import { createStewardshipActionsRouter } from './actionsRouter';
import { stewardshipPolicyDecision } from './permissions';
import { resolveStewardshipConfig } from './rules';
import { StewardshipActionStore } from './StewardshipActionStore';
import { StewardshipEngine } from './StewardshipEngine';
import { StewardshipTaskStore } from './StewardshipTaskStore';
import { group, model, user } from './testUtils';

jest.setTimeout(180_000);

const ALICE = 'user:default/alice'; // ml-platform: owns churn, gets its tasks
const CAROL = 'user:default/carol'; // ml-platform, not governance
const BOB = 'user:default/bob'; // marketing: neither owner nor assignee
const GINA = 'user:default/gina'; // ai-governance
// Removed from their group in the catalog; their token's claims still say so.
const OLAF = 'user:default/olaf'; // was ml-platform
const RITA = 'user:default/rita'; // was ai-governance
const GROUPS: Record<string, string[]> = {
  [OLAF]: ['group:default/ml-platform'],
  [RITA]: ['group:default/ai-governance'],
  [ALICE]: ['group:default/ml-platform'],
  [CAROL]: ['group:default/ml-platform'],
  [BOB]: ['group:default/marketing'],
  [GINA]: ['group:default/ai-governance'],
};
const CHURN = 'model:default/churn';

const entities = [
  group('ml-platform', ['alice', 'carol']),
  group('marketing', ['bob']),
  group('ai-governance', ['gina']),
  user('alice', ['ml-platform']),
  user('carol', ['ml-platform']),
  user('bob', ['marketing']),
  user('gina', ['ai-governance']),
  user('olaf', []),
  user('rita', []),
  user('dave', ['ml-platform'], { departed: true }),
  // Steward dave has left: a steward-missing task for ml-platform.
  model('churn', { steward: 'dave' }),
  model('ranker', { steward: 'dave' }),
  model('scorer', { steward: 'dave' }),
  model('ledger', { steward: 'dave' }),
];

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

describe.each(databases.eachSupportedId())(
  'stewardship task actions on %s',
  databaseId => {
    let backend: RouteTestBackend;
    let server: any;
    let engine: StewardshipEngine;
    let tasks: StewardshipTaskStore;
    let now = new Date('2026-12-07T10:00:00.000Z');
    let audit: CapturedAuditEvent[];
    const setNow = (value: string) => {
      now = new Date(value);
      backend.setNow(now);
    };
    const as = (ref: string) => mockCredentials.user.header(ref);
    const api = (p: string) => `/api/model-hub${p}`;
    const post = (p: string, who: string | undefined, body: object = {}) => {
      const r = request(server).post(api(p));
      return (who ? r.set('Authorization', as(who)) : r).send(body);
    };
    const openTaskOf = async (modelRef: string) => {
      const [task] = await tasks.listTasks({
        entityRef: modelRef,
        state: 'open',
      });
      return task;
    };

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      backend = await startRouteTestBackend({
        entities,
        groups: GROUPS,
        policy: branchPolicy(stewardshipPolicyDecision),
        knex,
        now,
        modelHub: { governance: { group: 'group:default/ai-governance' } },
        async setup(deps) {
          registerModelResourceType(deps, stewardshipPermissions);
          tasks = await StewardshipTaskStore.create(deps);
          const actions = await StewardshipActionStore.create(deps);
          engine = new StewardshipEngine({
            ...deps,
            store: tasks,
            config: resolveStewardshipConfig({
              governanceGroup: 'group:default/ai-governance',
            }),
            overrides: actions,
          });
          deps.httpRouter.use(
            createStewardshipActionsRouter({
              ...deps,
              tasks,
              actions,
              config: readStewardshipActionsConfig(deps.config),
            }),
          );
        },
      });
      server = backend.server;
      audit = backend.audit;
      // Opens a steward-missing task per model (dave has left).
      await engine.run();
    });

    afterAll(() => backend.stop());

    it('snoozes a task for its assignee team only, and the engine brings it back after the date', async () => {
      const task = await openTaskOf(CHURN);
      expect(task.kind).toBe('steward-missing');
      const path = `/v1/stewardship/tasks/${task.id}/snooze`;

      expect(
        (await post(path, undefined, { until: '2026-12-20' })).status,
      ).toBe(401);
      const service = await request(server)
        .post(api(path))
        .set('Authorization', mockCredentials.service.header())
        .send({ until: '2026-12-20' });
      expect(service.status).toBe(403);
      const bob = await post(path, BOB, { until: '2026-12-20' });
      expect(bob.status).toBe(403);
      expect(bob.body.error.message).toBe(
        'Only members of group:default/ml-platform (or group:default/ai-governance) may snooze this task',
      );
      expect((await post(path, ALICE, { until: '2026-12-01' })).status).toBe(
        400,
      );
      const tooLong = await post(path, ALICE, { until: '2027-12-01' });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.error.message).toContain('at most 90 days');
      expect((await openTaskOf(CHURN)).id).toBe(task.id);

      const ok = await post(path, ALICE, {
        until: '2026-12-20',
        reason: 'new steward starts on the 19th',
      });
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({
        state: 'closed',
        message: 'Snoozed until 2026-12-20; it comes back then if still true',
      });
      expect(await openTaskOf(CHURN)).toBeUndefined();
      expect((await tasks.getTask(task.id))?.closeReason).toBe(
        'snoozed until 2026-12-20 by user:default/alice: new steward starts on the 19th',
      );
      // A second snooze of the closed task is a conflict, not a new snooze.
      expect((await post(path, ALICE, { until: '2026-12-20' })).status).toBe(
        409,
      );

      // The next evaluation respects the snooze...
      setNow('2026-12-10T10:00:00.000Z');
      await engine.run();
      expect(await openTaskOf(CHURN)).toBeUndefined();
      // ...and after the date the task reappears, as a new task.
      setNow('2026-12-21T10:00:00.000Z');
      await engine.run();
      const back = await openTaskOf(CHURN);
      expect(back.kind).toBe('steward-missing');
      expect(back.id).not.toBe(task.id);

      expect(
        audit
          .filter(e => e.eventId === 'stewardship-task-snooze')
          .map(e => [e.actor, e.outcome]),
      ).toEqual([
        // The unauthenticated call never gets as far as an audit event.
        ['external:test-service', 'failure'],
        [BOB, 'failure'],
        [ALICE, 'failure'],
        [ALICE, 'failure'],
        [ALICE, 'success'],
        [ALICE, 'failure'],
      ]);
    });

    it('waives a task only with a second person from governance (four-eyes)', async () => {
      const task = await openTaskOf('model:default/ranker');
      const ask = `/v1/stewardship/tasks/${task.id}/waiver`;
      const approve = `${ask}/approve`;
      const body = {
        reason: 'Steward hired, starts in January',
        until: '2027-01-31',
      };

      expect((await post(ask, BOB, body)).status).toBe(403);
      expect((await post(ask, ALICE, { until: '2027-01-31' })).status).toBe(
        400,
      );
      expect((await post(approve, GINA)).status).toBe(409);
      const asked = await post(ask, ALICE, body);
      expect(asked.status).toBe(201);
      expect(asked.body.state).toBe('open');
      expect((await post(ask, CAROL, body)).status).toBe(409);

      const self = await post(approve, ALICE);
      expect(self.status).toBe(403);
      expect(self.body.error.message).toBe(
        'You asked for this waiver, so someone else in group:default/ai-governance must approve it (four-eyes)',
      );
      const notGovernance = await post(approve, CAROL);
      expect(notGovernance.status).toBe(403);
      expect(notGovernance.body.error.message).toBe(
        'Only members of group:default/ai-governance may approve waivers of stewardship tasks',
      );
      expect((await openTaskOf('model:default/ranker')).id).toBe(task.id);

      const granted = await post(approve, GINA);
      expect(granted.status).toBe(200);
      expect(granted.body).toEqual({
        state: 'closed',
        message: 'Waived until 2027-01-31',
      });
      expect((await tasks.getTask(task.id))?.closeReason).toBe(
        `waived until 2027-01-31 by ${GINA} (asked by ${ALICE}): Steward hired, starts in January`,
      );
      await engine.run();
      expect(await openTaskOf('model:default/ranker')).toBeUndefined();
      expect(
        audit
          .filter(e => e.eventId === 'stewardship-task-waiver-approve')
          .map(e => [e.actor, e.outcome]),
      ).toEqual([
        [GINA, 'failure'],
        [ALICE, 'failure'],
        [CAROL, 'failure'],
        [GINA, 'success'],
      ]);
    });

    it('takes team and governance membership from the catalog, not from claims the catalog has since revoked', async () => {
      const task = await openTaskOf('model:default/ledger');
      const ask = `/v1/stewardship/tasks/${task.id}/waiver`;
      const body = { reason: 'Steward hired', until: '2027-01-31' };

      const olaf = await post(`/v1/stewardship/tasks/${task.id}/snooze`, OLAF, {
        until: '2027-01-10',
      });
      expect(olaf.status).toBe(403);
      expect(olaf.body.error.message).toBe(
        'Only members of group:default/ml-platform (or group:default/ai-governance) may snooze this task',
      );
      expect((await post(ask, OLAF, body)).status).toBe(403);

      expect((await post(ask, ALICE, body)).status).toBe(201);
      const rita = await post(`${ask}/approve`, RITA);
      expect(rita.status).toBe(403);
      expect(rita.body.error.message).toBe(
        'Only members of group:default/ai-governance may approve waivers of stewardship tasks',
      );
      // Nor does another plugin approve on a governance member's behalf.
      const onBehalf = await request(server)
        .post(api(`${ask}/approve`))
        .set(
          'Authorization',
          mockCredentials.service.header({
            onBehalfOf: mockCredentials.user(GINA),
            targetPluginId: 'model-hub',
          }),
        )
        .send({});
      expect(onBehalf.status).toBe(403);
      expect(onBehalf.body.error.message).toContain(
        'Governance decisions are made by the person',
      );
      expect((await post(`${ask}/approve`, GINA)).status).toBe(200);
    });

    it('reassigns the steward for owners only, as an override the engine honours', async () => {
      const path = '/v1/stewardship/models/default/scorer/steward';
      const put = (who: string, body: object) =>
        request(server).put(api(path)).set('Authorization', as(who)).send(body);

      const bob = await put(BOB, { steward: 'carol' });
      expect(bob.status).toBe(403);
      expect(bob.body.error.message).toBe(
        'Not allowed to model-hub.steward.reassign on model:default/scorer: only its owner group:default/ml-platform may',
      );
      expect((await put(ALICE, { steward: 'dave' })).body.error.message).toBe(
        'Invalid steward: user:default/dave has left the organisation',
      );
      expect(
        (await put(ALICE, { steward: 'group:default/marketing' })).status,
      ).toBe(400);
      expect(await openTaskOf('model:default/scorer')).toBeDefined();

      const ok = await put(ALICE, { steward: 'Carol' });
      expect(ok.status).toBe(200);
      expect(await openTaskOf('model:default/scorer')).toBeUndefined();
      const overrides = await request(server)
        .get(api('/v1/stewardship/models/default/scorer/overrides'))
        .set('Authorization', as(BOB));
      expect(overrides.body.steward).toEqual({
        ref: 'user:default/carol',
        by: ALICE,
        at: now.toISOString(),
      });
      // The catalog still says dave; the engine uses carol and opens nothing.
      const summary = await engine.run();
      expect(summary.opened).toBe(0);
      expect(await openTaskOf('model:default/scorer')).toBeUndefined();
    });

    it('archives a model for owners only; its tasks close and stay closed', async () => {
      const path = '/v1/stewardship/models/default/churn/archive';
      expect(await openTaskOf(CHURN)).toBeDefined();
      const bob = await post(path, BOB, { reason: 'unused' });
      expect(bob.status).toBe(403);
      expect((await post(path, ALICE, {})).status).toBe(400);
      const ok = await post(path, ALICE, { reason: 'replaced by ranker' });
      expect(ok.status).toBe(200);
      expect(ok.body.message).toBe(
        'Archived model:default/churn; 1 open task(s) closed',
      );
      await engine.run();
      expect(await openTaskOf(CHURN)).toBeUndefined();
      const views = await engine.listLifecycles({
        credentials: mockCredentials.user(ALICE),
        entityRef: CHURN,
      });
      expect(views[0].effectiveLifecycle).toBe('archived');
    });
  },
);
