import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  RegistryTestBackend,
  startRegistryTestBackend,
} from '../__testUtils__/registryBackend';
import {
  ALICE,
  BOB,
  GROUPS,
  REGISTRY_CATALOG,
  registration,
} from '../__testUtils__/registryEntities';

jest.setTimeout(120_000);

const api = (p: string) => `/api/model-hub${p}`;
const asAlice = mockCredentials.user.header(ALICE);
const asBob = mockCredentials.user.header(BOB);
// Removed from ml-team in the catalog; her token's claims still say so.
const DORA = 'user:default/dora';

describe('registry router', () => {
  let backend: RegistryTestBackend;
  const register = (body: unknown, auth = asAlice) =>
    request(backend.server)
      .post(api('/v1/registered-models'))
      .set('Authorization', auth)
      .send(body as object);

  beforeAll(async () => {
    backend = await startRegistryTestBackend({
      entities: [
        ...REGISTRY_CATALOG,
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'User',
          metadata: { name: 'dora', namespace: 'default' },
          spec: { memberOf: [] },
        },
      ],
      groups: { ...GROUPS, [DORA]: ['group:default/ml-team'] },
    });
  });
  afterAll(() => backend.stop());

  it('answers 401 without credentials', async () => {
    expect(
      (await request(backend.server).get(api('/v1/registered-models'))).status,
    ).toBe(401);
    expect(
      (
        await request(backend.server)
          .post(api('/v1/registered-models'))
          .send(registration('x'))
      ).status,
    ).toBe(401);
  });

  it('refuses a service principal: registering needs a signed-in team member', async () => {
    const res = await register(
      registration('service-model'),
      mockCredentials.service.header(),
    );
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain(
      'needs a signed-in member of its owning team',
    );
  });

  it('creates a registration (201) in namespace default, without hub-written or location annotations', async () => {
    const res = await register(
      registration(
        'invoice-extractor',
        {},
        {
          annotations: {
            'modelhub.io/effective-tier': 'official',
            'backstage.io/managed-by-location': 'url:https://evil.example',
            'modelhub.io/upstream': 'https://huggingface.co/acme/invoices',
          },
        },
      ),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      created: true,
      entityRef: 'model:default/invoice-extractor',
      createdBy: ALICE,
      updatedBy: ALICE,
      createdAt: '2026-11-27T10:00:00.000Z',
    });
    expect(res.body.entity.metadata).toEqual({
      name: 'invoice-extractor',
      namespace: 'default',
      description: 'Extracts invoice fields',
      annotations: {
        'modelhub.io/upstream': 'https://huggingface.co/acme/invoices',
      },
    });
    expect(backend.auditEvents).toContainEqual({
      eventId: 'model-register',
      outcome: 'success',
      meta: { model: 'model:default/invoice-extractor' },
    });

    // The catalog has not read it yet: its registrant sees it, others not.
    const list = await request(backend.server)
      .get(api('/v1/registered-models'))
      .set('Authorization', asAlice);
    expect(list.status).toBe(200);
    expect(
      list.body.items.map((m: { entityRef: string }) => m.entityRef),
    ).toContain('model:default/invoice-extractor');
    const outsider = await request(backend.server)
      .get(api('/v1/registered-models'))
      .set('Authorization', asBob);
    expect(
      outsider.body.items.map((m: { entityRef: string }) => m.entityRef),
    ).not.toContain('model:default/invoice-extractor');

    const one = await request(backend.server)
      .get(api('/v1/registered-models/default/invoice-extractor'))
      .set('Authorization', mockCredentials.service.header());
    expect(one.status).toBe(200);
    expect(one.body.entity.spec.steward).toBe('user:default/carol');
  });

  it('answers a re-registration of the same entity with 200 and changes nothing', async () => {
    backend.setNow(new Date('2026-11-27T10:05:00.000Z'));
    const res = await register(
      registration(
        'invoice-extractor',
        {},
        {
          annotations: {
            'modelhub.io/upstream': 'https://huggingface.co/acme/invoices',
          },
        },
      ),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      created: false,
      updatedAt: '2026-11-27T10:00:00.000Z',
    });
  });

  it('updates a registration for its owners (200)', async () => {
    backend.setNow(new Date('2026-11-27T10:10:00.000Z'));
    const res = await register(
      registration(
        'invoice-extractor',
        { lifecycle: 'production' },
        { description: 'Extracts invoice fields, v2' },
      ),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      created: false,
      createdAt: '2026-11-27T10:00:00.000Z',
      updatedAt: '2026-11-27T10:10:00.000Z',
      entity: {
        metadata: { description: 'Extracts invoice fields, v2' },
        spec: { lifecycle: 'production' },
      },
    });
  });

  it('lets an on-behalf-of token from the scaffolder register for the user', async () => {
    const res = await register(
      registration('scaffolded-model'),
      mockCredentials.service.header({
        onBehalfOf: mockCredentials.user(ALICE),
        targetPluginId: 'model-hub',
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body.createdBy).toBe(ALICE);
  });

  it('refuses an update from another team (403), even one that hands the model to itself', async () => {
    const res = await register(
      registration('invoice-extractor', { owner: 'group:default/marketing' }),
      asBob,
    );
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      'Not allowed to model-hub.model.update on model:default/invoice-extractor: only its owner group:default/ml-team may',
    );
  });

  it('refuses an owner moving the model to a team they are not in', async () => {
    const res = await register(
      registration('invoice-extractor', { owner: 'group:default/marketing' }),
    );
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      'you are not a member of group:default/marketing',
    );
  });

  it('refuses to register a model for a team the caller is not in (403)', async () => {
    const res = await register(registration('bobs-model'), asBob);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      'you are not a member of group:default/ml-team',
    );
    expect(backend.auditEvents).toContainEqual({
      eventId: 'model-register',
      outcome: 'fail',
      meta: { model: 'model:default/bobs-model' },
    });
  });

  it('refuses to register for a team the catalog says the caller left, whatever the token claims (403)', async () => {
    const res = await register(
      registration('doras-model'),
      mockCredentials.user.header(DORA),
    );
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      'you are not a member of group:default/ml-team',
    );
  });

  it('rejects an invalid SPDX license, naming spec.license (400)', async () => {
    const res = await register(
      registration('bad-license', { license: 'Apache 2.0 OR' }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^Invalid model entity: /);
    expect(res.body.error.message).toContain('/spec/license');
  });

  it('rejects a body without an entity (400)', async () => {
    const res = await register({ model: {} });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('entity: Required');
  });

  it('rejects an unknown owner group (400)', async () => {
    const res = await register(
      registration('orphan', { owner: 'group:default/nope' }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(
      'unknown owner group:default/nope (spec.owner)',
    );
  });

  it('rejects an unknown steward and unknown datasets, listing each (400)', async () => {
    const res = await register(
      registration('unsteady', {
        steward: 'user:default/ghost',
        trainingData: ['resource:default/invoices', 'resource:default/gone'],
        baseModel: { ref: 'model:default/missing-base', relation: 'fine-tune' },
      }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'Invalid model model:default/unsteady: unknown steward user:default/ghost (spec.steward); unknown base model model:default/missing-base (spec.baseModel.ref); unknown training dataset resource:default/gone (spec.trainingData.1)',
    );
  });

  it('rejects a user as owner: the owner must be a Group (400)', async () => {
    const res = await register(registration('mine', { owner: ALICE }));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(
      'spec.owner must name a Group, got user:default/alice',
    );
  });

  it('refuses to take over a model the catalog has from YAML (409)', async () => {
    const res = await register(registration('legacy-model'));
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      'model:default/legacy-model already exists in the catalog, managed by url:https://github.com/acme/models/blob/main/catalog-info.yaml',
    );
  });

  it('accepts a model the catalog has from the hub itself', async () => {
    const res = await register(registration('hub-model'));
    expect(res.status).toBe(201);
  });

  it('answers 404 for a model that is not registered', async () => {
    const res = await request(backend.server)
      .get(api('/v1/registered-models/default/legacy-model'))
      .set('Authorization', asAlice);
    expect(res.status).toBe(404);
  });

  it('unregisters a model for its owners only', async () => {
    const path = api('/v1/registered-models/default/scaffolded-model');
    const denied = await request(backend.server)
      .delete(path)
      .set('Authorization', asBob);
    expect(denied.status).toBe(403);

    const ok = await request(backend.server)
      .delete(path)
      .set('Authorization', asAlice);
    expect(ok.status).toBe(204);
    expect(
      (await request(backend.server).get(path).set('Authorization', asAlice))
        .status,
    ).toBe(404);
    expect(
      (await request(backend.server).delete(path).set('Authorization', asAlice))
        .status,
    ).toBe(404);
  });
});
