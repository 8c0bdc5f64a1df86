import { createHmac } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  AuditRecord,
  MODEL_HUB_SIGNATURE_HEADER,
  modelHubAdminPaths,
  WebhookDelivery,
  ModelHubEvent,
} from '@internal/plugin-model-hub-common';
import request from 'supertest';
import {
  auditReadersPolicy,
  ModelHubTestBackend,
  startModelHubTestBackend,
  TEST_GOVERNANCE_GROUP,
} from '../__testUtils__/modelHubBackend';
import { publishVersion } from '../__testUtils__/publish';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });
const SECRET = 'webhook-secret-for-the-test';
const MODEL = 'model:default/support-assistant';
const GROUPS: Record<string, string[]> = {
  'user:default/alice': ['group:default/ml-team'],
  'user:default/gina': [TEST_GOVERNANCE_GROUP],
};

const entities: Entity[] = [
  {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: { name: 'support-assistant', namespace: 'default' },
    spec: { owner: 'ml-team', type: 'llm', lifecycle: 'production' },
  },
];

/** A webhook receiver that answers 500 to the first request, 200 after. */
async function startReceiver() {
  const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> =
    [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', c => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = received.length === 1 ? 500 : 200;
      res.end();
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { server, received, url: `http://127.0.0.1:${port}/hook` };
}

describe.each(databases.eachSupportedId())(
  'outbound events and the audit trail on %s',
  databaseId => {
    let backend: ModelHubTestBackend;
    let server: any;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    const api = (p: string) => `/api/model-hub${p}`;
    const as = (ref: string) => mockCredentials.user.header(ref);
    const ALICE = 'user:default/alice';
    const GINA = 'user:default/gina';

    beforeAll(async () => {
      receiver = await startReceiver();
      backend = await startModelHubTestBackend({
        entities,
        groups: GROUPS,
        policy: auditReadersPolicy(),
        knex: await databases.init(databaseId),
        modelHub: {
          events: {
            webhooks: [
              {
                name: 'ci',
                url: receiver.url,
                secret: SECRET,
                events: ['version.sealed', 'alias.moved'],
                initialBackoffMs: 20,
                maxAttempts: 3,
              },
            ],
          },
        },
      });
      server = backend.server;
      await publishVersion({
        server,
        auth: as(ALICE),
        entityRef: MODEL,
        version: '1.0.0',
        files: { 'w.bin': Buffer.from('weights') },
        aliases: ['latest'],
      });
    });

    afterAll(async () => {
      receiver.server.close();
      await backend?.stop();
    });

    async function deliveries(): Promise<WebhookDelivery[]> {
      const res = await request(server)
        .get(api(modelHubAdminPaths.deliveries))
        .set('Authorization', as(GINA));
      expect(res.status).toBe(200);
      return res.body.items;
    }

    it('signs each webhook with HMAC-SHA256 over timestamp and body, retries after a 500 and records every attempt', async () => {
      // Both events delivered, the one the receiver failed on its retry.
      // A deadline, not a count of polls: CI once ran out of polls first.
      const firstId = () =>
        receiver.received[0] &&
        (JSON.parse(receiver.received[0].body) as ModelHubEvent).id;
      let items: WebhookDelivery[] = [];
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        items = await deliveries();
        const delivered = new Set(
          items.filter(d => d.outcome === 'delivered').map(d => d.eventId),
        );
        if (delivered.size >= 2 && delivered.has(firstId())) break;
        await new Promise(r => setTimeout(r, 50));
      }
      const events = receiver.received.map(
        r => JSON.parse(r.body) as ModelHubEvent,
      );
      expect(new Set(events.map(e => e.type))).toEqual(
        new Set(['version.sealed', 'alias.moved']),
      );
      for (const r of receiver.received) {
        const [, t, v1] =
          /^t=(\d+),v1=([0-9a-f]{64})$/.exec(
            String(r.headers[MODEL_HUB_SIGNATURE_HEADER]),
          ) ?? [];
        const expected = createHmac('sha256', SECRET)
          .update(`${t}.${r.body}`)
          .digest('hex');
        expect(v1).toBe(expected);
        // Another secret does not verify.
        expect(
          createHmac('sha256', 'wrong').update(`${t}.${r.body}`).digest('hex'),
        ).not.toBe(v1);
      }
      const alias = events.find(e => e.type === 'alias.moved')!;
      expect(alias).toMatchObject({
        entityRef: MODEL,
        actor: ALICE,
        data: { alias: 'latest', version: '1.0.0' },
      });
      // The first request got a 500: that event was sent again, and both
      // attempts are on record.
      const first = events[0];
      const attempts = items
        .filter(d => d.eventId === first.id)
        .sort((a, b) => a.attempt - b.attempt);
      expect(attempts.map(d => [d.attempt, d.outcome, d.httpStatus])).toEqual([
        [1, 'failed', 500],
        [2, 'delivered', 200],
      ]);
      expect(receiver.received).toHaveLength(3);
    });

    it('lists the audit trail with actor and team, filters it and exports CSV, for admins only', async () => {
      const list = async (q: object, who = GINA) =>
        request(server)
          .get(api(modelHubAdminPaths.audit(q)))
          .set('Authorization', as(who));
      const all = (await list({ model: MODEL })).body.items as AuditRecord[];
      const ids = all.map(r => r.eventId);
      expect(ids).toEqual(
        expect.arrayContaining(['version-create', 'version-seal', 'alias-set']),
      );
      const alias = all.find(r => r.eventId === 'alias-set')!;
      expect(alias).toMatchObject({
        outcome: 'succeeded',
        actor: ALICE,
        entityRef: MODEL,
        team: 'group:default/ml-team',
      });
      expect((await list({ actor: 'user:default/bob' })).body.items).toEqual(
        [],
      );
      // The gauntlet keeps auditing in the background (runs, tiers): compare
      // contents, not counts that may grow between two requests.
      const byTeam = (await list({ team: 'group:default/ml-team' })).body
        .items as AuditRecord[];
      expect(byTeam.map(r => r.eventId)).toEqual(
        expect.arrayContaining(['version-seal', 'alias-set']),
      );
      expect(byTeam.every(r => r.team === 'group:default/ml-team')).toBe(true);

      const csv = await request(server)
        .get(api(modelHubAdminPaths.audit({ model: MODEL }, 'csv')))
        .set('Authorization', as(GINA));
      expect(csv.status).toBe(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const lines = csv.text.trim().split('\r\n');
      expect(lines[0]).toBe(
        'occurredAt,eventId,outcome,actor,entityRef,team,meta',
      );
      expect(lines.length).toBeGreaterThanOrEqual(all.length + 1);
      expect(csv.text).toContain(`alias-set,succeeded,${ALICE},${MODEL}`);

      expect((await list({}, ALICE)).status).toBe(403);
      const asService = await request(server)
        .get(api(modelHubAdminPaths.deliveries))
        .set(
          'Authorization',
          mockCredentials.service.header({
            onBehalfOf: mockCredentials.service('external:ci'),
            targetPluginId: 'model-hub',
          }),
        );
      expect([401, 403]).toContain(asService.status);
    });
  },
);
