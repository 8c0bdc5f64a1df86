import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import {
  AuditRecord,
  MODEL_HUB_EVENTS_TOPIC,
  modelHubAdminPaths,
  modelHubApiPaths,
  ModelHubEvent,
} from '@internal/plugin-model-hub-common';
import request from 'supertest';
import {
  auditReadersPolicy,
  ModelHubTestBackend,
  startModelHubTestBackend,
  TEST_GOVERNANCE_GROUP,
} from '../__testUtils__/modelHubBackend';
import { EXAMPLE_PUBLISHER } from './ExampleSeeder';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });
const MODEL = 'model:default/support-assistant';
const GINA = 'user:default/gina';
const ALICE = 'user:default/alice';
const entities: Entity[] = [
  {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: { name: 'support-assistant', namespace: 'default' },
    spec: { owner: 'ml-team', type: 'llm', lifecycle: 'production' },
  },
];

describe.each(databases.eachSupportedId())(
  'example seeding publishes what the routes publish, on %s',
  databaseId => {
    let backend: ModelHubTestBackend;
    const events: ModelHubEvent[] = [];

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      const dataDir = await fs.mkdtemp(
        path.join(os.tmpdir(), 'model-hub-seed-events-'),
      );
      await fs.mkdir(path.join(dataDir, 'seed', 'v1'), { recursive: true });
      await fs.writeFile(
        path.join(dataDir, 'seed', 'v1', 'adapter.safetensors'),
        Buffer.from('seeded weights'),
      );
      await fs.writeFile(
        path.join(dataDir, 'seed', 'hub-seed.yaml'),
        [
          'versions:',
          `  - model: ${MODEL}`,
          '    version: 1.0.0',
          '    directory: v1',
          '    aliases: [latest]',
          'governance:',
          `  - model: ${MODEL}`,
          '    promotion:',
          '      tier: official',
          `      requestedBy: ${ALICE}`,
          `      approvedBy: ${GINA}`,
          '      comment: Reviewed the card and the run.',
          '    waivers:',
          '      - check: license',
          '        reason: Legal reviewed the licence.',
          `        requestedBy: ${ALICE}`,
          `        approvedBy: ${GINA}`,
          `        expiresAt: '${new Date(
            Date.now() + 30 * 86_400_000,
          ).toISOString()}'`,
        ].join('\n'),
      );
      backend = await startModelHubTestBackend({
        entities,
        knex,
        dataDir,
        groups: { [GINA]: [TEST_GOVERNANCE_GROUP] },
        policy: auditReadersPolicy(),
        modelHub: {
          examples: { seedFile: path.join(dataDir, 'seed', 'hub-seed.yaml') },
        },
        features: [
          // Listens on the events service as any other plugin would.
          createBackendModule({
            pluginId: 'model-hub',
            moduleId: 'test-event-listener',
            register(env) {
              env.registerInit({
                deps: { eventsService: eventsServiceRef },
                async init({ eventsService }) {
                  await eventsService.subscribe({
                    id: 'test-listener',
                    topics: [MODEL_HUB_EVENTS_TOPIC],
                    async onEvent(e) {
                      events.push(e.eventPayload as ModelHubEvent);
                    },
                  });
                },
              });
            },
          }),
        ],
      });
    });

    afterAll(async () => {
      await backend?.stop();
    });

    it('emits version sealed, alias moved and gauntlet finished for seeded versions, as the example publisher', async () => {
      const deadline = Date.now() + 90_000;
      const types = () => new Set(events.map(e => e.type));
      while (
        !['version.sealed', 'alias.moved', 'gauntlet.finished'].every(t =>
          types().has(t as ModelHubEvent['type']),
        ) &&
        Date.now() < deadline
      ) {
        await new Promise(r => setTimeout(r, 100));
      }
      const sealed = events.filter(e => e.type === 'version.sealed');
      expect(sealed).toEqual([
        expect.objectContaining({
          entityRef: MODEL,
          actor: EXAMPLE_PUBLISHER,
          data: { version: '1.0.0' },
        }),
      ]);
      expect(events.find(e => e.type === 'alias.moved')).toMatchObject({
        entityRef: MODEL,
        actor: EXAMPLE_PUBLISHER,
        data: { alias: 'latest', version: '1.0.0' },
      });
      expect(events.find(e => e.type === 'gauntlet.finished')).toMatchObject({
        entityRef: MODEL,
        data: { version: '1.0.0' },
      });
    });

    it('keeps the seeded seal and alias in the audit trail', async () => {
      const res = await request(backend.server)
        .get(`/api/model-hub${modelHubAdminPaths.audit({ model: MODEL })}`)
        .set('Authorization', mockCredentials.user.header(GINA));
      expect(res.status).toBe(200);
      const items = res.body.items as AuditRecord[];
      const seal = items.find(r => r.eventId === 'version-seal');
      expect(seal).toMatchObject({
        outcome: 'succeeded',
        actor: EXAMPLE_PUBLISHER,
        entityRef: MODEL,
        team: 'group:default/ml-team',
      });
      expect(seal?.meta).toMatchObject({ version: '1.0.0' });
      expect(items.map(r => r.eventId)).toEqual(
        expect.arrayContaining([
          'version-seal',
          'alias-set',
          'gauntlet-run-finished',
        ]),
      );
      // The plugin's auditor heard them too, not only the trail table.
      expect(
        backend.audit.filter(
          e => e.eventId === 'version-seal' && e.outcome === 'success',
        ),
      ).toHaveLength(1);
    });

    it('records seeded promotions and waivers as the API does: requested by the requester, approved by the approver, in the audit trail', async () => {
      const trail = async () => {
        const res = await request(backend.server)
          .get(`/api/model-hub${modelHubAdminPaths.audit({ model: MODEL })}`)
          .set('Authorization', mockCredentials.user.header(GINA));
        expect(res.status).toBe(200);
        return res.body.items as AuditRecord[];
      };
      const governanceIds = [
        'gauntlet-promotion-request',
        'gauntlet-promotion-decision',
        'gauntlet-waiver-create',
        'gauntlet-waiver-approve',
      ];
      const recorded = (records: AuditRecord[]) =>
        governanceIds.every(id => records.some(r => r.eventId === id));
      const deadline = Date.now() + 90_000;
      let items = await trail();
      while (!recorded(items) && Date.now() < deadline) {
        await new Promise(r => setTimeout(r, 200));
        items = await trail();
      }
      const one = (eventId: string) => {
        const found = items.filter(r => r.eventId === eventId);
        expect(found).toHaveLength(1);
        return found[0];
      };
      expect(one('gauntlet-promotion-request')).toMatchObject({
        outcome: 'succeeded',
        actor: ALICE,
        entityRef: MODEL,
        meta: expect.objectContaining({ tier: 'official' }),
      });
      const decision = one('gauntlet-promotion-decision');
      expect(decision).toMatchObject({
        outcome: 'succeeded',
        actor: GINA,
        entityRef: MODEL,
        meta: expect.objectContaining({ action: 'approve', state: 'approved' }),
      });
      expect(one('gauntlet-waiver-create')).toMatchObject({
        outcome: 'succeeded',
        actor: ALICE,
        meta: expect.objectContaining({ check: 'license' }),
      });
      expect(one('gauntlet-waiver-approve')).toMatchObject({
        outcome: 'succeeded',
        actor: GINA,
      });
      // The approval is an outbound event too, as when made through the API.
      expect(events.find(e => e.type === 'promotion.approved')).toMatchObject({
        entityRef: MODEL,
        actor: GINA,
      });
      // The records are the API's own: listed by the promotion and waiver routes.
      const promotions = await request(backend.server)
        .get(`/api/model-hub${modelHubApiPaths.promotionRequests(MODEL)}`)
        .set('Authorization', mockCredentials.user.header(GINA))
        .expect(200);
      expect(promotions.body.items).toEqual([
        expect.objectContaining({
          tier: 'official',
          state: 'approved',
          requestedBy: ALICE,
        }),
      ]);
    });
  },
);
