import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  UPSTREAM_DRIFT_ANNOTATION,
  UpstreamDrift,
} from '@internal/plugin-model-hub-common';
import request from 'supertest';
import { branchPolicy } from '../__testUtils__/modelHubBackend';
import { startRouteTestBackend } from '../__testUtils__/routeBackend';
import { resolveStewardshipConfig } from './rules';
import { createStewardshipRouter } from './router';
import { StewardshipEngine } from './StewardshipEngine';
import { StewardshipTaskStore } from './StewardshipTaskStore';
import { group, model, user } from './testUtils';

jest.setTimeout(60_000);

const NOW = new Date('2026-06-01T12:00:00.000Z');

/** A model as the ingestion module leaves it after an upstream change. */
function drifted(name: string, drift: UpstreamDrift): Entity {
  const entity = model(name);
  entity.metadata.annotations![UPSTREAM_DRIFT_ANNOTATION] =
    JSON.stringify(drift);
  return entity;
}

describe('upstream drift → stewardship task', () => {
  it('opens a task for the owning team, served by the tasks route', async () => {
    let engine: StewardshipEngine | undefined;
    const backend = await startRouteTestBackend({
      policy: branchPolicy(() => undefined),
      now: NOW,
      entities: [
        group('ml-platform', ['alice']),
        user('alice', ['ml-platform']),
        drifted('hf-model', {
          detectedAt: '2026-05-31T08:00:00.000Z',
          source: 'huggingface:hf',
          url: 'https://huggingface.co/acme/model',
          changes: [
            { field: 'revision', from: 'a'.repeat(40), to: 'b'.repeat(40) },
            { field: 'license', from: 'mit', to: 'other' },
          ],
        }),
        drifted('mlflow-model', {
          detectedAt: '2026-05-30T08:00:00.000Z',
          source: 'mlflow:prod',
          changes: [{ field: 'revision', from: '2', to: '3' }],
        }),
        model('quiet-model'),
      ],
      async setup(deps) {
        const store = await StewardshipTaskStore.create(deps);
        engine = new StewardshipEngine({
          ...deps,
          store,
          config: resolveStewardshipConfig(),
        });
        deps.httpRouter.use(
          createStewardshipRouter({ ...deps, store, engine }),
        );
      },
    });
    try {
      await engine!.run();
      const res = await request(backend.server)
        .get('/api/model-hub/v1/stewardship/tasks')
        .query({ owner: 'group:default/ml-platform' })
        .set(
          'Authorization',
          mockCredentials.user.header('user:default/alice'),
        );
      expect(res.status).toBe(200);
      const drift = (res.body.items as any[]).filter(
        t => t.kind === 'upstream-drift',
      );
      expect(drift.map(t => [t.entityRef, t.severity])).toEqual(
        expect.arrayContaining([
          ['model:default/hf-model', 'high'],
          ['model:default/mlflow-model', 'medium'],
        ]),
      );
      expect(drift).toHaveLength(2);
      const hf = drift.find(t => t.entityRef === 'model:default/hf-model');
      expect(hf.title).toBe(
        'Model hf-model changed upstream: a new upstream revision and a licence change',
      );
      expect(hf.description).toContain('license mit → other');
      expect(hf.details).toMatchObject({
        source: 'huggingface:hf',
        url: 'https://huggingface.co/acme/model',
      });
    } finally {
      await backend.stop();
    }
  });
});
