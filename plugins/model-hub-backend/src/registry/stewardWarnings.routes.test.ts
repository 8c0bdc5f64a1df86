import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  RegistryTestBackend,
  startRegistryTestBackend,
} from '../__testUtils__/registryBackend';
import {
  ALICE,
  GROUPS,
  REGISTRY_CATALOG,
  registration,
} from '../__testUtils__/registryEntities';

jest.setTimeout(120_000);

describe('POST /v1/registered-models: steward outside the owning team', () => {
  let backend: RegistryTestBackend;
  const register = (body: unknown) =>
    request(backend.server)
      .post('/api/model-hub/v1/registered-models')
      .set('Authorization', mockCredentials.user.header(ALICE))
      .send(body as object);

  beforeAll(async () => {
    backend = await startRegistryTestBackend({
      entities: REGISTRY_CATALOG,
      groups: GROUPS,
    });
  });
  afterAll(() => backend.stop());

  it('accepts a steward from another team and names them in warnings', async () => {
    const res = await register(
      registration('outside-steward', { steward: 'user:default/bob' }),
    );
    expect(res.status).toBe(201);
    expect(res.body.entity.spec.steward).toBe('user:default/bob');
    expect(res.body.warnings).toEqual([
      'steward user:default/bob is not a member of the owning team group:default/ml-team; a steward-missing task stays open until they join it or spec.steward names a member',
    ]);

    // An unchanged re-registration (200) still says it.
    const again = await register(
      registration('outside-steward', { steward: 'bob' }),
    );
    expect(again.status).toBe(200);
    expect(again.body.warnings).toHaveLength(1);
  });

  it('has no warnings for a steward in the owning team, or none at all', async () => {
    const member = await register(registration('inside-steward'));
    expect(member.status).toBe(201);
    expect(member.body.warnings).toEqual([]);

    const none = await register(
      registration('no-steward', { steward: undefined }),
    );
    expect(none.status).toBe(201);
    expect(none.body.warnings).toEqual([]);
  });
});
