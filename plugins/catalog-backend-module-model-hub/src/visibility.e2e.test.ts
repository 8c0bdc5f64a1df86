import {
  createMockDirectory,
  mockCredentials,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  ALICE,
  MARKETING,
  MIA,
  startHubCatalogBackend,
} from './__testUtils__/hubCatalogBackend';
import { waitFor } from './__testUtils__/waitFor';

const model = (name: string, owner: string) => `
---
apiVersion: modelhub.io/v1alpha1
kind: Model
metadata: { name: ${name} }
spec:
  type: classifier
  task: text-classification
  owner: ${owner}
  lifecycle: production
  tier: community
  license: MIT
`;

const registration = (name: string, owner: string) => ({
  entity: {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: { name },
    spec: {
      type: 'llm',
      task: 'text-generation',
      owner,
      lifecycle: 'experimental',
      tier: 'community',
      license: 'Apache-2.0',
    },
  },
});

describe('hub list routes under a catalog policy that hides a team (end to end)', () => {
  jest.setTimeout(180_000);
  const dir = createMockDirectory();

  it('omits the hidden team’s models from every list route for an outsider and shows them to a member', async () => {
    const { backend, scheduler } = await startHubCatalogBackend(
      dir,
      `${model('campaign-scorer', MARKETING)}\n${model(
        'churn',
        'group:default/ml-team',
      )}\n`,
    );
    const as = (user: string) => mockCredentials.user.header(user);
    const hub = (path: string, user: string) =>
      request(backend.server)
        .get(`/api/model-hub${path}`)
        .set('Authorization', as(user));
    const sees = (user: string, name: string) =>
      request(backend.server)
        .get(`/api/catalog/entities/by-name/model/default/${name}`)
        .set('Authorization', as(user))
        .then(r => (r.status === 200 ? true : undefined));

    try {
      await waitFor('the YAML models', () => sees(MIA, 'campaign-scorer'));
      await waitFor('the YAML models', () => sees(ALICE, 'churn'));
      // The policy itself: the catalog hides marketing's model from Alice.
      expect(await sees(ALICE, 'campaign-scorer')).toBeUndefined();

      // One hub registration, one deprecation per team.
      for (const [user, name, owner] of [
        [MIA, 'promo-writer', MARKETING],
        [ALICE, 'ticket-router', 'group:default/ml-team'],
      ]) {
        const res = await request(backend.server)
          .post('/api/model-hub/v1/registered-models')
          .set('Authorization', as(user))
          .send(registration(name, owner));
        expect(res.status).toBe(201);
      }
      for (const [user, name] of [
        [MIA, 'campaign-scorer'],
        [ALICE, 'churn'],
      ]) {
        const res = await request(backend.server)
          .put(`/api/model-hub/v1/models/default/${name}/deprecation`)
          .set('Authorization', as(user))
          .send({ reason: 'Superseded' });
        expect(res.status).toBe(200);
      }
      await scheduler.triggerTask('model-hub-registered-models');
      await waitFor('the registered models in the catalog', () =>
        sees(MIA, 'promo-writer'),
      );
      await waitFor('the registered models in the catalog', () =>
        sees(ALICE, 'ticket-router'),
      );
      // Models without a steward earn stewardship tasks for their teams.
      await scheduler.triggerTask('model-hub-stewardship');

      const hidden = ['campaign-scorer', 'promo-writer'];
      const names = (refs: string[]) =>
        [...new Set(refs.map(r => r.replace(/^model:default\//, '')))].sort();

      const lists: Record<string, (user: string) => Promise<string[]>> = {
        'registered models': async user =>
          (await hub('/v1/registered-models', user)).body.items.map(
            (m: any) => m.entityRef,
          ),
        deprecations: async user =>
          (await hub('/v1/deprecations', user)).body.items.map(
            (d: any) => d.entityRef,
          ),
        'effective tiers': async user =>
          (await hub('/v1/gauntlet/effective-tiers', user)).body.items.map(
            (t: any) => t.entityRef,
          ),
        'stewardship models': async user =>
          (await hub('/v1/stewardship/models', user)).body.items.map(
            (m: any) => m.entityRef,
          ),
        'stewardship tasks of the hidden team': async user =>
          (
            await hub(`/v1/stewardship/tasks?owner=${MARKETING}`, user)
          ).body.items.map((t: any) => t.entityRef),
        'stewardship tasks of the hidden team’s user': async user =>
          (await hub(`/v1/stewardship/tasks?user=${MIA}`, user)).body.items.map(
            (t: any) => t.entityRef,
          ),
      };

      // What each list holds of the hidden team (YAML models are not
      // registered through the hub; only one of its models is deprecated).
      const expected: Record<string, string[]> = {
        'registered models': ['promo-writer'],
        deprecations: ['campaign-scorer'],
      };
      // The member sees their team's models in every list.
      const memberTasks = await waitFor('the stewardship tasks', async () => {
        const refs = await lists['stewardship tasks of the hidden team'](MIA);
        return refs.length > 0 ? refs : undefined;
      });
      expect(names(memberTasks)).toEqual(expect.arrayContaining(hidden));
      for (const [route, list] of Object.entries(lists)) {
        const member = names(await list(MIA));
        const outsider = names(await list(ALICE));
        expect({
          route,
          member: hidden.filter(h => member.includes(h)),
        }).toEqual({ route, member: expected[route] ?? hidden });
        expect({
          route,
          outsider: hidden.filter(h => outsider.includes(h)),
        }).toEqual({ route, outsider: [] });
      }
      // The outsider still sees their own team in the unfiltered lists.
      expect(names(await lists['registered models'](ALICE))).toContain(
        'ticket-router',
      );
      expect(names(await lists.deprecations(ALICE))).toEqual(['churn']);
      expect(names(await lists['effective tiers'](ALICE))).toEqual(
        expect.arrayContaining(['churn', 'ticket-router']),
      );

      // Counts do not leak hidden tasks either.
      const counts = async (user: string) =>
        (await hub(`/v1/stewardship/tasks/counts?owner=${MARKETING}`, user))
          .body.counts.total;
      expect(await counts(MIA)).toBe(memberTasks.length);
      expect(await counts(ALICE)).toBe(0);

      // Single items answer 404 as if they did not exist.
      const taskId = (
        await hub(`/v1/stewardship/tasks?owner=${MARKETING}`, MIA)
      ).body.items[0].id;
      for (const path of [
        '/v1/registered-models/default/promo-writer',
        '/v1/models/default/campaign-scorer/deprecation',
        '/v1/models/default/campaign-scorer/versions',
        '/v1/models/default/campaign-scorer/gauntlet',
        `/v1/stewardship/tasks/${taskId}`,
      ]) {
        expect({ path, member: (await hub(path, MIA)).status }).toEqual({
          path,
          member: 200,
        });
        expect({ path, outsider: (await hub(path, ALICE)).status }).toEqual({
          path,
          outsider: 404,
        });
      }

      // The catalog's own provider (a service) still reads everything.
      const service = await request(backend.server)
        .get('/api/model-hub/v1/registered-models')
        .set('Authorization', mockCredentials.service.header());
      expect(names(service.body.items.map((m: any) => m.entityRef))).toEqual([
        'promo-writer',
        'ticket-router',
      ]);
    } finally {
      await backend.stop();
    }
  });
});
