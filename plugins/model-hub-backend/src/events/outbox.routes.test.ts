import { createHmac } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  MODEL_HUB_SIGNATURE_HEADER,
  modelHubAdminPaths,
  modelHubApiPaths,
  ModelHubEvent,
  WebhookDelivery,
} from '@internal/plugin-model-hub-common';
import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import request from 'supertest';
import {
  auditReadersPolicy,
  ModelHubTestBackend,
  startModelHubTestBackend,
  TEST_GOVERNANCE_GROUP,
} from '../__testUtils__/modelHubBackend';
import { publishVersion } from '../__testUtils__/publish';
import { WEBHOOK_OUTBOX_RETENTION_TASK } from './outboxRetention';
import { WEBHOOK_OUTBOX_TASK } from './setup';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });
const SECRET = 'outbox-secret-for-the-test';
const MODEL = 'model:default/support-assistant';
const ALICE = 'user:default/alice';
const GINA = 'user:default/gina';
const GROUPS = {
  [ALICE]: ['group:default/ml-team'],
  [GINA]: [TEST_GOVERNANCE_GROUP],
};
const entities: Entity[] = [
  {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: { name: 'support-assistant', namespace: 'default' },
    spec: { owner: 'ml-team', type: 'llm', lifecycle: 'production' },
  },
];

interface Received {
  delivery: string;
  signature: string;
  body: string;
}

/**
 * A webhook receiver that answers 500 to the first attempt of each event and
 * 200 to later ones, slowly enough for concurrent senders to overlap.
 */
async function startReceiver(delayMs = 0) {
  const received: Received[] = [];
  const seen = new Set<string>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', c => (body += c));
    req.on('end', () => {
      const delivery = String(req.headers['x-model-hub-delivery']);
      received.push({
        delivery,
        signature: String(req.headers[MODEL_HUB_SIGNATURE_HEADER]),
        body,
      });
      const eventId = delivery.split('/')[0];
      const first = !seen.has(eventId);
      seen.add(eventId);
      setTimeout(() => {
        res.statusCode = first ? 500 : 200;
        res.end();
      }, delayMs);
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { server, received, url: `http://127.0.0.1:${port}/hook` };
}

function verifies(r: Received): boolean {
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(r.signature) ?? [];
  return (
    v1 !== undefined &&
    createHmac('sha256', SECRET).update(`${t}.${r.body}`).digest('hex') === v1
  );
}

async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out waiting for ${what}: ${JSON.stringify(value)}`,
      );
    }
    await new Promise(r => setTimeout(r, 100));
  }
}

describe.each(databases.eachSupportedId())(
  'durable webhook outbox on %s',
  databaseId => {
    let knex: Knex;
    let dataDir: string;
    const started: ModelHubTestBackend[] = [];

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-outbox-'));
    });

    afterAll(async () => {
      await fs.rm(dataDir, { recursive: true, force: true });
    });

    afterEach(async () => {
      await Promise.all(started.splice(0).map(b => b.stop()));
    });

    /** A backend on the shared database whose outbox sweep the test triggers. */
    async function startBackend(
      url: string,
      webhook: JsonObject,
      moreWebhooks: JsonObject[] = [],
    ) {
      // The in-memory scheduler whose tasks the test triggers by hand.
      const scheduler = mockServices.scheduler();
      const backend = await startModelHubTestBackend({
        entities,
        groups: GROUPS,
        policy: auditReadersPolicy(),
        knex,
        dataDir,
        features: [
          createServiceFactory({
            service: coreServices.scheduler,
            deps: {},
            factory: () => scheduler,
          }),
        ],
        modelHub: {
          events: {
            webhooks: [
              { name: 'ci', url, secret: SECRET, ...webhook },
              ...moreWebhooks.map(w => ({ secret: SECRET, ...w })),
            ],
          },
        },
      });
      started.push(backend);
      return {
        backend,
        sweep: () => scheduler.triggerTask(WEBHOOK_OUTBOX_TASK),
        prune: () => scheduler.triggerTask(WEBHOOK_OUTBOX_RETENTION_TASK),
      };
    }

    const deliveriesOf = async (server: any, eventId: string) => {
      const res = await request(server)
        .get(`/api/model-hub${modelHubAdminPaths.deliveries}`)
        .query({ eventId, limit: 100 })
        .set('Authorization', mockCredentials.user.header(GINA));
      expect(res.status).toBe(200);
      return (res.body.items as WebhookDelivery[])
        .map(d => [d.attempt, d.outcome, d.httpStatus])
        .sort((a, b) => Number(a[0]) - Number(b[0]));
    };

    it('sends a retry that was pending across a restart, byte for byte as signed, with every attempt recorded', async () => {
      const receiver = await startReceiver();
      try {
        const webhook = {
          events: ['version.sealed'],
          initialBackoffMs: 1500,
          maxAttempts: 3,
        };
        const first = await startBackend(receiver.url, webhook);
        await publishVersion({
          server: first.backend.server,
          auth: mockCredentials.user.header(ALICE),
          entityRef: MODEL,
          version: '1.0.0',
          files: { 'w.bin': Buffer.from('weights') },
        });
        await waitFor(
          'the first attempt',
          async () => receiver.received.length,
          n => n >= 1,
        );
        const event = JSON.parse(receiver.received[0].body) as ModelHubEvent;
        expect(event).toMatchObject({
          type: 'version.sealed',
          entityRef: MODEL,
        });
        await waitFor(
          'the failed attempt on record',
          () => deliveriesOf(first.backend.server, event.id),
          d => d.length === 1,
        );
        // Stop before the backoff ends: the retry is only in the database.
        await first.backend.stop();
        started.splice(started.indexOf(first.backend), 1);
        expect(receiver.received).toHaveLength(1);
        await new Promise(r => setTimeout(r, 1600));

        const second = await startBackend(receiver.url, webhook);
        await second.sweep();
        await waitFor(
          'the retry',
          async () => receiver.received.length,
          n => n >= 2,
        );
        const [attempt1, attempt2] = receiver.received;
        expect(attempt1.delivery).toBe(`${event.id}/1`);
        expect(attempt2.delivery).toBe(`${event.id}/2`);
        expect(attempt2.body).toBe(attempt1.body);
        expect(verifies(attempt2)).toBe(true);
        expect(
          verifies({
            ...attempt2,
            body: attempt2.body.replace('1.0.0', '1.0.1'),
          }),
        ).toBe(false);
        expect(await deliveriesOf(second.backend.server, event.id)).toEqual([
          [1, 'failed', 500],
          [2, 'delivered', 200],
        ]);
        // Delivered means settled: a later sweep sends nothing more.
        await second.sweep();
        expect(receiver.received).toHaveLength(2);
      } finally {
        receiver.server.close();
      }
    });

    it('never sends one attempt twice when two backends on one database sweep at once', async () => {
      const receiver = await startReceiver(40);
      try {
        const webhook = {
          events: ['alias.moved'],
          initialBackoffMs: 200,
          maxAttempts: 4,
        };
        const a = await startBackend(receiver.url, webhook);
        const b = await startBackend(receiver.url, webhook);
        await publishVersion({
          server: a.backend.server,
          auth: mockCredentials.user.header(ALICE),
          entityRef: MODEL,
          version: '2.0.0',
          files: { 'w.bin': Buffer.from('weights 2') },
        });
        const aliases = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'];
        for (const alias of aliases) {
          await request(a.backend.server)
            .put(`/api/model-hub${modelHubApiPaths.alias(MODEL, alias)}`)
            .set('Authorization', mockCredentials.user.header(ALICE))
            .send({ version: '2.0.0' })
            .expect(200);
        }
        const delivered = () =>
          new Set(
            receiver.received
              .filter(r => !r.delivery.endsWith('/1'))
              .map(r => r.delivery.split('/')[0]),
          ).size;
        await waitFor(
          'every alias event delivered',
          async () => {
            await Promise.all([a.sweep(), b.sweep(), a.sweep(), b.sweep()]);
            return delivered();
          },
          n => n >= aliases.length,
        );
        // Let any late duplicate arrive before counting.
        await Promise.all([a.sweep(), b.sweep()]);
        await new Promise(r => setTimeout(r, 500));
        const counts = new Map<string, number>();
        for (const r of receiver.received) {
          counts.set(r.delivery, (counts.get(r.delivery) ?? 0) + 1);
        }
        expect([...counts.values()].every(n => n === 1)).toBe(true);
        expect(receiver.received).toHaveLength(aliases.length * 2);
        expect(receiver.received.every(verifies)).toBe(true);
        const eventIds = new Set(
          receiver.received.map(r => r.delivery.split('/')[0]),
        );
        for (const eventId of eventIds) {
          expect(await deliveriesOf(b.backend.server, eventId)).toEqual([
            [1, 'failed', 500],
            [2, 'delivered', 200],
          ]);
        }
      } finally {
        receiver.server.close();
      }
    });

    it('prunes delivered outbox rows past the 30-day retention and keeps pending and given-up rows', async () => {
      // One receiver path that accepts, one that always fails.
      const server = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.statusCode = req.url === '/ok' ? 200 : 503;
          res.end();
        });
      });
      await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const sealedOnly = { events: ['version.sealed'] };
        const { backend, prune } = await startBackend(
          `${base}/ok`,
          sealedOnly,
          [
            // Gives up after its one failed attempt.
            {
              name: 'down',
              url: `${base}/fail`,
              maxAttempts: 1,
              ...sealedOnly,
            },
            // Its retry is due in an hour: pending.
            {
              name: 'later',
              url: `${base}/fail`,
              maxAttempts: 3,
              initialBackoffMs: 3_600_000,
              ...sealedOnly,
            },
          ],
        );
        type Row = {
          webhook: string;
          event_id: string;
          state: string;
          attempts: number | string;
          claim_token: string | null;
        };
        const outbox = (): Promise<Row[]> =>
          knex('model_hub_webhook_outbox')
            .select('webhook', 'event_id', 'state', 'attempts', 'claim_token')
            .orderBy('id');
        const seen = new Set((await outbox()).map(r => r.event_id));
        /** The new event once delivered to ci, given up by down, and waiting to retry for later. */
        const settledEvent = async (version: string) => {
          const isSettled = (rows: Row[], eventId: string) => {
            const of = (w: string) =>
              rows.find(r => r.event_id === eventId && r.webhook === w);
            const later = of('later');
            return (
              of('ci')?.state === 'delivered' &&
              of('down')?.state === 'failed' &&
              later?.state === 'pending' &&
              Number(later.attempts) === 1 &&
              later.claim_token === null
            );
          };
          const rows = await waitFor(
            `the deliveries of ${version} settled`,
            outbox,
            all =>
              all.some(
                r => !seen.has(r.event_id) && isSettled(all, r.event_id),
              ),
          );
          const eventId = rows.find(
            r => !seen.has(r.event_id) && isSettled(rows, r.event_id),
          )!.event_id;
          seen.add(eventId);
          return eventId;
        };
        const publish = (version: string) =>
          publishVersion({
            server: backend.server,
            auth: mockCredentials.user.header(ALICE),
            entityRef: MODEL,
            version,
            files: { 'w.bin': Buffer.from(`weights ${version}`) },
          });
        /** The rows of the named events as [name, webhook, state]. */
        const rowsOf = async (named: Record<string, string>) => {
          const names = new Map(
            Object.entries(named).map(([n, id]) => [id, n]),
          );
          return (await outbox())
            .filter(r => names.has(r.event_id))
            .map(r => [names.get(r.event_id), r.webhook, r.state]);
        };
        await publish('3.0.0');
        const old = await settledEvent('3.0.0');
        await publish('3.1.0');
        const recent = await settledEvent('3.1.0');
        expect(await rowsOf({ old, recent })).toEqual([
          ['old', 'ci', 'delivered'],
          ['old', 'down', 'failed'],
          ['old', 'later', 'pending'],
          ['recent', 'ci', 'delivered'],
          ['recent', 'down', 'failed'],
          ['recent', 'later', 'pending'],
        ]);
        // Time passes: the old event's rows settled 31 days ago, the recent
        // one's 29 days ago (past and within the default 30 days).
        const daysAgo = (days: number) =>
          new Date(Date.now() - days * 86_400_000);
        for (const [eventId, days] of [
          [old, 31],
          [recent, 29],
        ] as const) {
          await knex('model_hub_webhook_outbox')
            .where({ event_id: eventId })
            .update({ created_at: daysAgo(days + 1) });
          await knex('model_hub_webhook_outbox')
            .where({ event_id: eventId })
            .whereNotNull('settled_at')
            .update({ settled_at: daysAgo(days) });
        }
        await prune();
        expect(await rowsOf({ old, recent })).toEqual([
          ['old', 'down', 'failed'],
          ['old', 'later', 'pending'],
          ['recent', 'ci', 'delivered'],
          ['recent', 'down', 'failed'],
          ['recent', 'later', 'pending'],
        ]);
        // The delivery records admins read are their own table: kept.
        expect(await deliveriesOf(backend.server, old)).toEqual(
          expect.arrayContaining([[1, 'delivered', 200]]),
        );
      } finally {
        server.close();
      }
    });
  },
);
