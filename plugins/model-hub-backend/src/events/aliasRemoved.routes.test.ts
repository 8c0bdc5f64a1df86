/*
 * A pipeline that deploys `champion` must hear when the hub takes it away:
 * a rescan by a newer scanner that finds a file unsafe removes `latest` and
 * `champion` from its version, audits each removal and sends an
 * `alias.removed` event to the webhooks, through the plugin's own rescan
 * task. The older scanner's pass is stored the way it would have written it:
 * the file row's verdict and scanner version.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { SchedulerService } from '@backstage/backend-plugin-api';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { ModelHubEvent } from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import request from 'supertest';
import { MALICIOUS_PICKLE } from '../__testUtils__/fixtures';
import { captureScheduler } from '../__testUtils__/scheduler';
import { ModelHubTestBackend } from '../__testUtils__/modelHubBackend';
import { publishVersion } from '../__testUtils__/publish';
import {
  ALICE,
  MODEL_REF,
  startAliceBackend,
} from '../__testUtils__/transfersBackend';
import { RESCAN_TASK_ID } from '../rescan';

jest.setTimeout(180_000);

const SECRET = 'webhook-secret-for-the-test';
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

describe.each(databases.eachSupportedId())(
  'aliases a rescan takes away, as outbound events, on %s',
  databaseId => {
    let knex: Knex;
    let backend: ModelHubTestBackend;
    let scheduler: SchedulerService | undefined;
    const received: ModelHubEvent[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', c => (body += c));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end();
      });
    });

    beforeAll(async () => {
      await new Promise<void>(r => receiver.listen(0, '127.0.0.1', r));
      const { port } = receiver.address() as AddressInfo;
      knex = await databases.init(databaseId);
      backend = await startAliceBackend({
        knex,
        features: [captureScheduler(s => (scheduler = s))],
        modelHub: {
          events: {
            webhooks: [
              {
                name: 'deploys',
                url: `http://127.0.0.1:${port}/hook`,
                secret: SECRET,
                events: ['alias.removed'],
              },
            ],
          },
          // The rescan runs when the test triggers it.
          scanner: {
            rescan: {
              schedule: {
                frequency: { hours: 24 },
                timeout: { minutes: 5 },
                initialDelay: { hours: 24 },
              },
            },
          },
        },
      });
    });

    afterAll(async () => {
      receiver.close();
      await backend?.stop();
    });

    it('sends alias.removed for champion and latest when a rescan finds the version unsafe', async () => {
      const auth = mockCredentials.user.header(ALICE);
      await publishVersion({
        server: backend.server,
        auth,
        entityRef: MODEL_REF,
        version: '1.0.0',
        files: { 'tokenizer.pkl': MALICIOUS_PICKLE },
      });
      // What an older scanner that missed the pickle stored.
      const row = await knex('model_version_files')
        .where({ path: 'tokenizer.pkl' })
        .first();
      await knex('model_version_files')
        .where({ version_id: row.version_id, path: row.path })
        .update({
          scan_verdict: 'safe',
          scan: JSON.stringify({
            ...JSON.parse(row.scan),
            verdict: 'safe',
            findings: [],
          }),
          scanner_version: '0.0.1',
        });
      for (const alias of ['champion', 'latest']) {
        const set = await request(backend.server)
          .put(
            `/api/model-hub/v1/models/default/support-assistant/aliases/${alias}`,
          )
          .set('Authorization', auth)
          .send({ version: '1.0.0' });
        expect(set.status).toBe(200);
      }

      await scheduler!.triggerTask(RESCAN_TASK_ID);
      for (let i = 0; i < 200 && received.length < 2; i++) {
        await new Promise(r => setTimeout(r, 50));
      }

      const removed = received
        .filter(e => e.type === 'alias.removed')
        .sort((a, b) =>
          String(a.data.alias).localeCompare(String(b.data.alias)),
        );
      expect(removed).toEqual(
        ['champion', 'latest'].map(alias =>
          expect.objectContaining({
            type: 'alias.removed',
            entityRef: MODEL_REF,
            data: expect.objectContaining({
              alias,
              version: '1.0.0',
              reason: 'a rescan found an unsafe file',
              files: ['tokenizer.pkl'],
            }),
          }),
        ),
      );
      const version = await request(backend.server)
        .get(
          '/api/model-hub/v1/models/default/support-assistant/versions/1.0.0',
        )
        .set('Authorization', auth);
      expect(version.body.aliases ?? []).toEqual([]);
    });
  },
);
