import fs from 'node:fs/promises';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  BackstageCredentials,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionBackend from '@backstage/plugin-permission-backend';
import { modelHubTokenPaths } from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import request from 'supertest';
import { HfDownloadEvent, hfDownloadRecorderServiceRef } from '../hf';
import { modelHubPlugin } from '../plugin';
import { catalogServiceHubCatalogFactory } from './modelHubBackend';
import { compressingFront } from './compressingFront';
import { publishVersion } from './publish';
import {
  testModelHubHttpAuthServiceFactory,
  testUserTokenIssuerFactory,
} from './httpAuth';
import {
  ownersPublishPolicy,
  testPolicyModule,
  testUserInfoFactory,
} from './modelHubBackend';

/** Member of ml-team, which owns every model below. */
export const HF_ALICE = 'user:default/alice';
/** Owns nothing, and the catalog hides `secret-model` from him. */
export const HF_BOB = 'user:default/bob';

/** A Model entity owned by ml-team. */
export function hfModel(
  name: string,
  extra: { namespace?: string; spec?: object; tags?: string[] } = {},
): Entity {
  return {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: {
      name,
      namespace: extra.namespace ?? 'default',
      ...(extra.tags ? { tags: extra.tags } : {}),
    },
    spec: {
      type: 'classifier',
      task: 'text-classification',
      framework: 'onnx',
      owner: 'group:default/ml-team',
      lifecycle: 'production',
      tier: 'community',
      license: 'Apache-2.0',
      ...extra.spec,
    },
  };
}

function user(name: string, memberOf: string[]): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { memberOf },
  };
}

/** The catalog as users see it: Bob cannot read models named `secret-*`. */
function catalogFactory(entities: Entity[]) {
  return createServiceFactory({
    service: catalogServiceRef,
    deps: {},
    factory() {
      const all = catalogServiceMock({
        entities: [
          ...entities,
          // Token owners must be in the catalog.
          user('alice', ['ml-team']),
          user('bob', []),
        ],
      });
      const hidden = (e: Entity | undefined, options: unknown) =>
        e?.metadata.name.startsWith('secret-') &&
        (
          (options as { credentials?: BackstageCredentials })?.credentials
            ?.principal as { userEntityRef?: string } | undefined
        )?.userEntityRef === HF_BOB;
      const overrides: Partial<typeof all> = {
        async getEntityByRef(ref, options) {
          const entity = await all.getEntityByRef(ref, options);
          return hidden(entity, options) ? undefined : entity;
        },
        async getEntitiesByRefs(req, options) {
          const { items } = await all.getEntitiesByRefs(req, options);
          return {
            items: items.map(e => (hidden(e, options) ? undefined : e)),
          };
        },
      };
      // The mock is a class: keep its methods bound to it.
      return new Proxy(all, {
        get(target, key) {
          if (key in overrides) return overrides[key as keyof typeof all];
          const value = (target as any)[key];
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
  });
}

/** A running hub with the HF endpoints, and helpers to publish through its routes. */
export interface HfTestBackend {
  /** The hub's own server (no compression). */
  server: http.Server;
  /** The same backend behind the production compression middleware. */
  front: http.Server;
  /** `http://127.0.0.1:<port>` of `front`. */
  baseUrl: string;
  /** `hubUrl` for Hugging Face clients. */
  hubUrl: string;
  downloads: HfDownloadEvent[];
  /** Publishes and seals a version as Alice through the hub's own routes. */
  publish(
    entityRef: string,
    version: string,
    files: Record<string, Buffer>,
    aliases?: string[],
  ): Promise<void>;
  /** A read-scoped PAT of `user` in its `hf_` form. */
  hfToken(user: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts the hub plugin with PATs, the visibility catalog and `hfConfig`. */
export async function startHfTestBackend(options: {
  entities: Entity[];
  hfConfig?: object;
  /** A test database; the backend's default in-memory SQLite otherwise. */
  knex?: Knex;
}): Promise<HfTestBackend> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-hf-'));
  const downloads: HfDownloadEvent[] = [];
  const backend = await startTestBackend({
    features: [
      modelHubPlugin,
      permissionBackend,
      testPolicyModule(ownersPublishPolicy()),
      catalogFactory(options.entities),
      catalogServiceHubCatalogFactory,
      testUserInfoFactory({ [HF_ALICE]: ['group:default/ml-team'] }),
      testModelHubHttpAuthServiceFactory,
      testUserTokenIssuerFactory,
      createServiceFactory({
        service: hfDownloadRecorderServiceRef,
        deps: {},
        factory: () => async (event: HfDownloadEvent) => {
          downloads.push(event);
        },
      }),
      ...(options.knex
        ? [mockServices.database.factory({ knex: options.knex })]
        : []),
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          modelHub: {
            ...(options.hfConfig ? { hf: options.hfConfig } : {}),
            artifacts: {
              stagingDirectory: path.join(dataDir, 'staging'),
              local: { directory: path.join(dataDir, 'artifacts') },
            },
          },
        },
      }),
    ],
  });
  const server = backend.server as http.Server;
  const front = await compressingFront(server);
  const { port } = front.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const api = (p: string) => `/api/model-hub${p}`;
  const asAlice = mockCredentials.user.header(HF_ALICE);

  return {
    server,
    front,
    baseUrl,
    hubUrl: `${baseUrl}/api/model-hub/hf`,
    downloads,
    async publish(entityRef, version, files, aliases = []) {
      await publishVersion({
        server,
        auth: asAlice,
        entityRef,
        version,
        files,
        aliases,
      });
    },
    async hfToken(owner) {
      const res = await request(server)
        .post(api(modelHubTokenPaths.tokens))
        .set('Authorization', mockCredentials.user.header(owner))
        .send({ name: `hf-${Date.now()}`, scopes: ['read'] });
      expect(res.status).toBe(201);
      return res.body.hfToken as string;
    },
    async stop() {
      await new Promise(resolve => front.close(resolve));
      await backend.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
