import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import path from 'node:path';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import request from 'supertest';
import catalogModuleModelHub from './index';
import { waitFor } from './__testUtils__/waitFor';

const FIXTURE = path.resolve(
  __dirname,
  '../../../examples-for-tests/catalog.yaml',
);

/** Collects the catalog's processing errors, as a logging or alerting module would. */
function errorCollector(sink: Array<{ entityRef: string; message: string }>) {
  return createBackendModule({
    pluginId: 'catalog',
    moduleId: 'test-error-collector',
    register(reg) {
      reg.registerInit({
        deps: { catalog: catalogProcessingExtensionPoint },
        async init({ catalog }) {
          catalog.setOnProcessingErrorHandler(
            ({ unprocessedEntity, errors }) => {
              for (const error of errors) {
                sink.push({
                  entityRef: `${unprocessedEntity.kind}:${
                    unprocessedEntity.metadata.namespace ?? 'default'
                  }/${unprocessedEntity.metadata.name}`,
                  message: `${error.message}${
                    error.cause ? ` ${String(error.cause)}` : ''
                  }`,
                });
              }
            },
          );
        },
      });
    },
  });
}

const relationsOf = (e: Entity) =>
  (e.relations ?? []).map(r => `${r.type} ${r.targetRef}`);

describe('catalog with the Model Hub module (end to end)', () => {
  jest.setTimeout(90_000);

  it('ingests the examples, emits Model relations, and rejects the broken model without stopping', async () => {
    const processingErrors: Array<{ entityRef: string; message: string }> = [];
    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleModelHub,
        errorCollector(processingErrors),
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              processingInterval: { seconds: 1 },
              rules: [
                {
                  allow: [
                    'Component',
                    'System',
                    'API',
                    'Resource',
                    'Location',
                    'Model',
                    'Group',
                    'User',
                    'Template',
                  ],
                },
              ],
              locations: [{ type: 'file', target: FIXTURE }],
            },
          },
        }),
      ],
    });
    const auth = { Authorization: mockCredentials.user.header() };
    const get = (url: string) => request(backend.server).get(url).set(auth);

    try {
      // A service depends on a model: the built-in processor gives the model a dependencyOf.
      const assistant = await waitFor(
        'support-assistant with its relations',
        async () => {
          const res = await get(
            '/api/catalog/entities/by-name/model/default/support-assistant',
          );
          if (res.status !== 200) return undefined;
          const entity = res.body as Entity;
          return relationsOf(entity).includes(
            'dependencyOf component:default/support-chat-service',
          )
            ? entity
            : undefined;
        },
      );
      expect(relationsOf(assistant)).toEqual(
        expect.arrayContaining([
          'ownedBy group:default/customer-support',
          'hasSteward user:default/maria.garcia',
          'partOf system:default/support-platform',
          'derivedFrom model:default/llama-3-8b-instruct',
          'trainedOn resource:default/support-tickets-2024',
          'dependencyOf component:default/support-chat-service',
        ]),
      );

      // The reverse relations land on the other entities.
      const reverse = async (ref: string, relation: string) =>
        waitFor(`${relation} on ${ref}`, async () => {
          const res = await get(`/api/catalog/entities/by-name/${ref}`);
          return res.status === 200 && relationsOf(res.body).includes(relation)
            ? true
            : undefined;
        });
      await reverse(
        'component/default/support-chat-service',
        'dependsOn model:default/support-assistant',
      );
      await reverse(
        'group/default/customer-support',
        'ownerOf model:default/support-assistant',
      );
      await reverse(
        'user/default/maria.garcia',
        'stewardOf model:default/support-assistant',
      );
      await reverse(
        'model/default/llama-3-8b-instruct',
        'baseOf model:default/support-assistant',
      );
      await reverse(
        'resource/default/support-tickets-2024',
        'trainingDataOf model:default/support-assistant',
      );
      await reverse(
        'system/default/support-platform',
        'hasPart model:default/support-assistant',
      );
      await reverse(
        'model/default/sentiment-classifier',
        'supersedes model:default/sentiment-classifier-v1',
      );

      // The filter the UI uses lists every valid example model, and not the broken one.
      const models = await waitFor('all example models', async () => {
        const res = await get('/api/catalog/entities?filter=kind=model');
        const names = (res.body as Entity[]).map(e => e.metadata.name).sort();
        return names.length >= 10 ? names : undefined;
      });
      expect(models).toEqual([
        'bert-base-uncased',
        'caption-ranker',
        'churn-classifier',
        'demand-forecaster',
        'llama-3-8b-instruct',
        'route-eta-estimator',
        'sentiment-classifier',
        'sentiment-classifier-v1',
        'support-assistant',
        'vision-defect-detector',
      ]);

      // The broken model is reported with a message naming the field and the problem.
      const brokenError = await waitFor(
        'the processing error of broken-model',
        async () =>
          processingErrors.find(
            e => e.entityRef === 'Model:default/broken-model',
          ),
      );
      expect(brokenError.message).toMatch(
        /Model default\/broken-model: \/spec/,
      );
      expect(brokenError.message).toMatch(
        /\/spec must have required property 'owner'|\/spec\/tier must be equal to one of the allowed values: official, community, external/,
      );
      expect(
        (await get('/api/catalog/entities/by-name/model/default/broken-model'))
          .status,
      ).toBe(404);
      // No example entity other than the broken model failed our validation.
      expect(
        processingErrors.filter(
          e =>
            e.message.includes('ModelEntityProcessor') &&
            e.entityRef !== 'Model:default/broken-model',
        ),
      ).toEqual([]);

      // The catalog keeps serving.
      expect(
        (
          await get(
            '/api/catalog/entities?filter=kind=resource,spec.type=dataset',
          )
        ).body.length,
      ).toBeGreaterThanOrEqual(9);
    } finally {
      await backend.stop();
    }
  });
});
