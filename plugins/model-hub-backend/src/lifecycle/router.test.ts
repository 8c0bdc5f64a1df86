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

async function waitFor(condition: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise(r => setTimeout(r, 20));
  }
}
const asAlice = mockCredentials.user.header(ALICE);
const asBob = mockCredentials.user.header(BOB);
const LEGACY = api('/v1/models/default/legacy-model/deprecation');
const NEXT = api('/v1/models/default/next-model/deprecation');

describe('lifecycle router', () => {
  let backend: RegistryTestBackend;
  const deprecate = (path: string, body: unknown, auth = asAlice) =>
    request(backend.server)
      .put(path)
      .set('Authorization', auth)
      .send(body as object);

  beforeAll(async () => {
    backend = await startRegistryTestBackend({
      entities: REGISTRY_CATALOG,
      groups: GROUPS,
    });
  });
  afterAll(() => backend.stop());

  it('answers 401 without credentials', async () => {
    expect((await request(backend.server).get(LEGACY)).status).toBe(401);
    expect(
      (await request(backend.server).put(LEGACY).send({ reason: 'x' })).status,
    ).toBe(401);
  });

  it('refuses to deprecate a model for someone outside its owning team (403)', async () => {
    const res = await deprecate(LEGACY, { reason: 'old' }, asBob);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      'Not allowed to model-hub.model.deprecate on model:default/legacy-model: only its owner group:default/ml-team may',
    );
    expect(backend.catalog.refreshEntity).not.toHaveBeenCalled();
  });

  it('answers 404 for a model the catalog does not have', async () => {
    const res = await deprecate(api('/v1/models/default/ghost/deprecation'), {
      reason: 'x',
    });
    expect(res.status).toBe(404);
  });

  it('requires a reason of 1 to 2000 characters (400)', async () => {
    expect((await deprecate(LEGACY, {})).status).toBe(400);
    expect((await deprecate(LEGACY, { reason: '   ' })).status).toBe(400);
    const long = await deprecate(LEGACY, { reason: 'x'.repeat(2001) });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toContain('reason');
  });

  it('rejects an unknown successor, the model itself, and a deprecated successor (400)', async () => {
    const unknown = await deprecate(LEGACY, {
      reason: 'old',
      successor: 'ghost',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe(
      'Invalid successor: unknown model model:default/ghost',
    );

    const self = await deprecate(LEGACY, {
      reason: 'old',
      successor: 'model:default/Legacy-Model',
    });
    expect(self.status).toBe(400);
    expect(self.body.error.message).toBe(
      'Invalid successor: model:default/legacy-model cannot succeed itself',
    );

    const deprecated = await deprecate(LEGACY, {
      reason: 'old',
      successor: 'retired-model',
    });
    expect(deprecated.status).toBe(400);
    expect(deprecated.body.error.message).toBe(
      'Invalid successor: model:default/retired-model is itself deprecated',
    );

    const notAModel = await deprecate(LEGACY, {
      reason: 'old',
      successor: 'group:default/ml-team',
    });
    expect(notAModel.status).toBe(400);
    expect(notAModel.body.error.message).toContain('is not a Model ref');
  });

  it('deprecates a YAML-managed model for its owners and asks the catalog to reprocess it', async () => {
    const res = await deprecate(LEGACY, {
      reason: 'Replaced by next-model, which reads scanned invoices',
      successor: 'next-model',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      entityRef: 'model:default/legacy-model',
      reason: 'Replaced by next-model, which reads scanned invoices',
      successor: 'model:default/next-model',
      deprecatedBy: ALICE,
      deprecatedAt: '2026-11-27T10:00:00.000Z',
    });
    expect(backend.catalog.refreshEntity).toHaveBeenCalledWith(
      'model:default/legacy-model',
      {
        credentials: expect.objectContaining({
          principal: expect.objectContaining({ type: 'service' }),
        }),
      },
    );
    expect(backend.auditEvents).toContainEqual({
      eventId: 'model-deprecate',
      outcome: 'success',
      meta: { model: 'model:default/legacy-model' },
    });

    const read = await request(backend.server)
      .get(LEGACY)
      .set('Authorization', mockCredentials.service.header());
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);

    const list = await request(backend.server)
      .get(api('/v1/deprecations'))
      .set('Authorization', asBob);
    expect(list.body.items).toEqual([res.body]);
  });

  it('rejects as successor a model the hub itself deprecated', async () => {
    const res = await deprecate(NEXT, {
      reason: 'circular',
      successor: 'legacy-model',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'Invalid successor: model:default/legacy-model is itself deprecated',
    );
  });

  it('tells stewardship about a deprecation and its withdrawal, in the background', async () => {
    // Earlier tests' changes may still be followed in the background.
    const told = (reason: string) =>
      backend.onApplied.mock.calls.some(
        ([ref, r]) => ref === 'model:default/next-model' && r === reason,
      );
    const res = await deprecate(NEXT, { reason: 'replaced' });
    expect(res.status).toBe(200);
    await waitFor(() => told('model:default/next-model was deprecated'));
    const withdrawn = await request(backend.server)
      .delete(NEXT)
      .set('Authorization', asAlice);
    expect(withdrawn.status).toBe(204);
    await waitFor(() =>
      told('the deprecation of model:default/next-model was withdrawn'),
    );
  });

  it('keeps the deprecation when the catalog refresh fails', async () => {
    (backend.catalog.refreshEntity as jest.Mock).mockRejectedValueOnce(
      new Error('catalog down'),
    );
    const res = await deprecate(NEXT, { reason: 'no successor planned' });
    expect(res.status).toBe(200);
    expect(res.body.successor).toBeUndefined();
    expect(
      (await request(backend.server).get(NEXT).set('Authorization', asAlice))
        .status,
    ).toBe(200);
  });

  it('deprecates a model registered moments ago that the catalog has not read yet', async () => {
    const registered = await request(backend.server)
      .post(api('/v1/registered-models'))
      .set('Authorization', asAlice)
      .send(registration('fresh-model'));
    expect(registered.status).toBe(201);
    const res = await deprecate(
      api('/v1/models/default/fresh-model/deprecation'),
      { reason: 'registered by mistake' },
    );
    expect(res.status).toBe(200);
    const denied = await deprecate(
      api('/v1/models/default/fresh-model/deprecation'),
      { reason: 'registered by mistake' },
      asBob,
    );
    expect(denied.status).toBe(403);
  });

  it('withdraws a deprecation for its owners only, then answers 404', async () => {
    const denied = await request(backend.server)
      .delete(LEGACY)
      .set('Authorization', asBob);
    expect(denied.status).toBe(403);

    (backend.catalog.refreshEntity as jest.Mock).mockClear();
    const ok = await request(backend.server)
      .delete(LEGACY)
      .set('Authorization', asAlice);
    expect(ok.status).toBe(204);
    expect(backend.catalog.refreshEntity).toHaveBeenCalledWith(
      'model:default/legacy-model',
      expect.anything(),
    );
    expect(
      (await request(backend.server).get(LEGACY).set('Authorization', asAlice))
        .status,
    ).toBe(404);
    expect(
      (
        await request(backend.server)
          .delete(LEGACY)
          .set('Authorization', asAlice)
      ).status,
    ).toBe(404);
  });
});
