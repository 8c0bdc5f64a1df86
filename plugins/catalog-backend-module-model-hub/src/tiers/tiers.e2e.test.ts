import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import request from 'supertest';
import catalogModuleModelHub from '../index';

const EFFECTIVE = 'modelhub.io/effective-tier';
const STATUS = 'modelhub.io/gauntlet-status';

const YAML = `
apiVersion: modelhub.io/v1alpha1
kind: Model
metadata:
  name: earned-model
spec:
  type: classifier
  task: text-classification
  owner: group:default/ml
  lifecycle: production
  tier: official
  license: MIT
---
apiVersion: modelhub.io/v1alpha1
kind: Model
metadata:
  name: claiming-model
  annotations:
    ${EFFECTIVE}: official
    ${STATUS}: passed
spec:
  type: classifier
  task: text-classification
  owner: group:default/ml
  lifecycle: production
  tier: official
  license: MIT
`;

/**
 * A stand-in for the Model Hub backend: serves the effective-tiers route
 * behind the real auth policy and records who called it.
 */
function stubHub(callers: string[]) {
  return createBackendPlugin({
    pluginId: 'model-hub',
    register(reg) {
      reg.registerInit({
        deps: {
          http: coreServices.httpRouter,
          httpAuth: coreServices.httpAuth,
        },
        async init({ http, httpAuth }) {
          http.use((req, res, next) => {
            if (
              req.method !== 'GET' ||
              req.path !== '/v1/gauntlet/effective-tiers'
            ) {
              next();
              return;
            }
            httpAuth
              .credentials(req, { allow: ['service'] })
              .then(credentials => {
                callers.push(credentials.principal.subject);
                res.json({
                  items: [
                    {
                      entityRef: 'model:default/earned-model',
                      requestedTier: 'official',
                      effectiveTier: 'community',
                      status: 'passed',
                      reason: 'community gates passed',
                      version: '1.0.0',
                      annotations: {
                        [EFFECTIVE]: 'community',
                        [STATUS]: 'passed',
                      },
                    },
                    {
                      entityRef: 'model:default/claiming-model',
                      requestedTier: 'official',
                      effectiveTier: null,
                      status: 'failed',
                      reason: 'security-scan failed',
                      version: '0.1.0',
                      annotations: { [STATUS]: 'failed' },
                    },
                  ],
                });
              })
              .catch(next);
          });
        },
      });
    },
  });
}

describe('effective tiers in the catalog (end to end)', () => {
  jest.setTimeout(60_000);
  const dir = createMockDirectory();

  it('puts the earned tier from the hub on Model entities and drops claimed ones', async () => {
    dir.setContent({ 'models.yaml': YAML });
    const callers: string[] = [];
    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleModelHub,
        stubHub(callers),
        mockServices.rootConfig.factory({
          data: {
            modelHub: { catalog: { tierRefreshSeconds: 1 } },
            catalog: {
              processingInterval: { seconds: 1 },
              rules: [{ allow: ['Model', 'Location'] }],
              locations: [{ type: 'file', target: dir.resolve('models.yaml') }],
            },
          },
        }),
      ],
    });
    const get = (url: string) =>
      request(backend.server)
        .get(url)
        .set({ Authorization: mockCredentials.user.header() });
    const annotationsOf = async (name: string) => {
      const deadline = Date.now() + 45_000;
      for (;;) {
        const res = await get(
          `/api/catalog/entities/by-name/model/default/${name}`,
        );
        const annotations = (res.body as Entity | undefined)?.metadata
          ?.annotations;
        if (res.status === 200 && annotations?.[STATUS]) return annotations;
        if (Date.now() > deadline)
          throw new Error(
            `Timed out waiting for ${name}: ${res.status} ${JSON.stringify(
              res.body,
            )} callers=${callers.length}`,
          );
        await new Promise(r => setTimeout(r, 250));
      }
    };

    try {
      expect(await annotationsOf('earned-model')).toMatchObject({
        [EFFECTIVE]: 'community',
        [STATUS]: 'passed',
      });
      const claiming = await annotationsOf('claiming-model');
      expect(claiming[STATUS]).toBe('failed');
      expect(claiming).not.toHaveProperty([EFFECTIVE]);

      // The catalog table's filter on the annotation finds only the earned tier.
      const res = await get(
        `/api/catalog/entities?filter=kind=model,metadata.annotations.${EFFECTIVE}=community`,
      );
      expect((res.body as Entity[]).map(e => e.metadata.name)).toEqual([
        'earned-model',
      ]);
      const claimed = await get(
        `/api/catalog/entities?filter=kind=model,metadata.annotations.${EFFECTIVE}=official`,
      );
      expect(claimed.body).toEqual([]);

      // The hub was called with a service token of the catalog plugin.
      expect(callers.length).toBeGreaterThan(0);
      expect(new Set(callers)).toEqual(new Set(['plugin:catalog']));
    } finally {
      await backend.stop();
    }
  });
});
