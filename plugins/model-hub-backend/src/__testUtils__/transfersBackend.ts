import {
  BackstageCredentials,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import permissionBackend from '@backstage/plugin-permission-backend';
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { modelHubPlugin } from '../plugin';
import { testHttpAuthServiceFactory } from './httpAuth';
import {
  catalogServiceHubCatalogFactory,
  ModelHubTestBackend,
  ModelHubTestBackendOptions,
  ownersPublishPolicy,
  startModelHubTestBackend,
  testPolicyModule,
  testUserInfoFactory,
} from './modelHubBackend';

/*
 * The world of the transfer tests: two models owned by ml-team, publishing
 * for owners only, and a catalog that hides the secret model from Bob.
 */
export const ALICE = 'user:default/alice'; // ml-team
export const CAROL = 'user:default/carol'; // ml-team too
export const BOB = 'user:default/bob'; // owns nothing, cannot see the secret model
export const MODEL_REF = 'model:default/support-assistant';
export const SECRET_REF = 'model:default/secret-model';

/** A Model entity owned by ml-team. */
export const model = (name: string): Entity => ({
  apiVersion: 'modelhub.io/v1alpha1',
  kind: 'Model',
  metadata: { name, namespace: 'default' },
  spec: { owner: 'ml-team', type: 'llm', lifecycle: 'production' },
});

/**
 * A test back end (one replica) holding support-assistant, which Alice's
 * ml-team owns and may publish to; the options say the rest (database,
 * shared staging, limits, extra modules).
 */
export function startAliceBackend(
  options: Omit<ModelHubTestBackendOptions, 'entities' | 'groups' | 'policy'>,
): Promise<ModelHubTestBackend> {
  return startModelHubTestBackend({
    entities: [model('support-assistant')],
    groups: { [ALICE]: ['group:default/ml-team'] },
    policy: ownersPublishPolicy(),
    ...options,
  });
}

/** The catalog as users see it: Bob cannot read the secret model. */
export function hideSecretFromBob(all: CatalogService): CatalogService {
  const hidden = (options: unknown) =>
    (
      (options as { credentials?: BackstageCredentials })?.credentials
        ?.principal as { userEntityRef?: string } | undefined
    )?.userEntityRef === BOB;
  return {
    ...all,
    async getEntityByRef(ref, options) {
      const entity = await all.getEntityByRef(ref, options);
      return entity?.metadata.name === 'secret-model' && hidden(options)
        ? undefined
        : entity;
    },
    async getEntitiesByRefs(req, options) {
      const { items } = await all.getEntitiesByRefs(req, options);
      return {
        items: items.map(e =>
          e?.metadata.name === 'secret-model' && hidden(options)
            ? undefined
            : e,
        ),
      };
    },
  };
}

const catalogFactory = createServiceFactory({
  service: catalogServiceRef,
  deps: {},
  factory() {
    return hideSecretFromBob(
      catalogServiceMock({
        entities: [model('support-assistant'), model('secret-model')],
      }),
    );
  },
});

/** `length` deterministic bytes that differ by `seed`. */
export function bytesOf(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 7) % 251;
  return out;
}

/**
 * The features of a transfers test backend: the plugin, permissions with
 * the owners-publish policy, the catalog and users above, and test auth.
 */
export const transfersTestFeatures = () => [
  modelHubPlugin,
  permissionBackend,
  testPolicyModule(ownersPublishPolicy()),
  catalogFactory,
  catalogServiceHubCatalogFactory,
  testUserInfoFactory(ref => (ref === BOB ? [] : ['group:default/ml-team'])),
  testHttpAuthServiceFactory,
];
