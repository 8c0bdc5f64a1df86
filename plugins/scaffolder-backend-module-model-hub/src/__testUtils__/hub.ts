import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  DiscoveryService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { modelHubApiPaths } from '@internal/plugin-model-hub-common';
import {
  EXAMPLE_ARTIFACTS_DIR,
  exampleDataset,
  exampleModel,
} from '@internal/plugin-model-hub-node/src/testUtils';
// Tests only: the actions run against the real hub plugin, in process.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import modelHubPlugin from '@internal/plugin-model-hub-backend';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports, @backstage/no-forbidden-package-imports
import { catalogServiceHubCatalogFactory } from '@internal/plugin-model-hub-backend/src/__testUtils__/hubCatalogFactory';
import { JsonObject } from '@backstage/types';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ModelHubClient } from '../client/ModelHubClient';

/** A member of group:default/marketing, which owns the test models. */
export const ALICE = 'user:default/alice';
/** A user who owns nothing. */
export const BOB = 'user:default/bob';

/** Real example files of the sentiment classifier (ONNX model and benchmark CSV). */
export const EXAMPLE_DIR = EXAMPLE_ARTIFACTS_DIR;

/**
 * The org and a model the gauntlet can check for the community tier: the
 * example sentiment classifier and its data set, with three differences
 * stated here (it claims community, names alice as steward, and claims
 * accuracy only), and a second model without an evaluation.
 */
export const testEntities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'marketing', namespace: 'default' },
    spec: { type: 'team', children: [], members: ['alice'] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'alice', namespace: 'default' },
    spec: { memberOf: ['group:default/marketing'] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'bob', namespace: 'default' },
    spec: { memberOf: [] },
  },
  exampleDataset,
  {
    ...exampleModel,
    metadata: {
      ...exampleModel.metadata,
      description: 'Classifies the sentiment of product reviews',
    },
    spec: {
      ...exampleModel.spec,
      steward: ALICE,
      tier: 'community',
      metrics: (exampleModel.spec!.metrics as Array<{ name: string }>).filter(
        m => m.name === 'accuracy',
      ),
    },
  },
  {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: { name: 'no-evaluation', namespace: 'default' },
    spec: {
      type: 'classifier',
      task: 'text-classification',
      owner: 'group:default/marketing',
      lifecycle: 'experimental',
      tier: 'community',
      license: 'MIT',
    },
  },
];

/** The SHA-256 of bytes, hex. */
export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A `data:` URL as rjsf's file widget produces it. */
export function dataUrl(
  name: string,
  bytes: Buffer,
  mime = 'application/octet-stream',
): string {
  return `data:${mime};name=${encodeURIComponent(name)};base64,${bytes.toString(
    'base64',
  )}`;
}

/** A URL the fake url reader starts to serve and then fails half-way. */
export const FLAKY_URL = 'https://files.example.com/flaky.bin';

/**
 * A url reader over a fixed set of URLs: serves their bytes as a stream,
 * refuses hosts other than `files.example.com` as the allow-list does, and
 * answers 404 for unknown URLs.
 */
export function fakeUrlReader(files: Record<string, Buffer>): UrlReaderService {
  return mockServices.urlReader.mock({
    async readUrl(url: string) {
      if (new URL(url).host !== 'files.example.com') {
        throw new NotAllowedError(
          `Reading from '${url}' is not allowed. You may need to configure an integration for the target host, or add it to the configured list of allowed hosts at 'backend.reading.allow'`,
        );
      }
      if (url === FLAKY_URL) {
        // Sends some bytes, then the connection drops.
        let sent = false;
        const stream = new Readable({
          read() {
            if (sent) {
              this.destroy(new Error('connection reset by peer'));
            } else {
              sent = true;
              this.push(Buffer.alloc(4096, 1));
            }
          },
        });
        return { buffer: async () => Buffer.alloc(0), stream: () => stream };
      }
      const bytes = files[url];
      if (!bytes) {
        throw new NotFoundError(`could not read ${url}, 404 Not Found`);
      }
      return {
        buffer: async () => bytes,
        // Several chunks, so the upload really streams.
        stream: () =>
          Readable.from(
            Array.from({ length: Math.ceil(bytes.length / 100) }, (_, i) =>
              bytes.subarray(i * 100, (i + 1) * 100),
            ),
          ),
      };
    },
  });
}

/** A running Model Hub backend and a client that talks to it as the scaffolder would. */
export interface TestHub {
  client: ModelHubClient;
  discovery: DiscoveryService;
  /** The hub's base URL, `http://localhost:<port>/api/model-hub`. */
  baseUrl: string;
  /** The test backend's origin, `http://localhost:<port>`. */
  origin: string;
  /** Downloads a stored file as alice. */
  download(
    entityRef: string,
    version: string,
    filePath: string,
  ): Promise<Buffer>;
  /** GETs a hub API path as alice and parses the JSON answer. */
  getJson(apiPath: string): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

/** Starts the real Model Hub plugin in-process with the mock catalog and a temporary artifact store. */
export async function startTestHub(
  options: {
    entities?: Entity[];
    maxUploadBytes?: number;
    /** More features to start with the hub, e.g. the scaffolder. */
    features?: Parameters<typeof startTestBackend>[0]['features'];
    /** `modelHub.artifacts.s3` (e.g. an s3rver with direct transfers); local disk when absent. */
    s3?: object;
    /** Puts a proxy (a request log) between the client and the hub: gets the hub's origin, returns the proxy's. */
    through?: (origin: string) => Promise<string>;
  } = {},
): Promise<TestHub> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scaffolder-model-hub-'));
  const userInfo = mockServices.userInfo.mock({
    async getUserInfo(credentials) {
      const ref = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      return {
        userEntityRef: ref,
        ownershipEntityRefs:
          ref === ALICE ? [ref, 'group:default/marketing'] : [ref],
      };
    },
  });
  // Stands in for the portal policy: only alice (an owner) may act on the
  // test models; basic permissions (registering) are for everyone.
  const permissions = mockServices.permissions.mock({
    // The scaffolder's own (conditional) checks are allowed.
    async authorizeConditional(requests) {
      return requests.map(() => ({ result: AuthorizeResult.ALLOW }));
    },
    async authorize(requests, opts) {
      const user = (opts?.credentials.principal as { userEntityRef?: string })
        ?.userEntityRef;
      return requests.map(r => ({
        result:
          user === ALICE || !('resourceRef' in r && r.resourceRef)
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      }));
    },
  });
  const backend = await startTestBackend({
    features: [
      modelHubPlugin,
      permissions.factory,
      catalogServiceMock.factory({
        entities: options.entities ?? testEntities,
      }),
      // The hub's own catalog reads go to the catalog's HTTP API, which this
      // backend does not run: they use the mock catalog too.
      catalogServiceHubCatalogFactory,
      userInfo.factory,
      mockServices.rootConfig.factory({
        data: {
          modelHub: {
            // The mock catalog never shows models registered in a test.
            scaffolder: { catalogWaitSeconds: 1 },
            artifacts: {
              maxUploadBytes: options.maxUploadBytes ?? 1024 * 1024,
              stagingDirectory: path.join(dir, 'staging'),
              ...(options.s3
                ? { s3: options.s3 }
                : { local: { directory: path.join(dir, 'artifacts') } }),
            },
          },
        },
      }),
      ...(options.features ?? []),
    ],
  });
  const { port } = backend.server.address() as AddressInfo;
  const direct = `http://localhost:${port}`;
  const origin = options.through ? await options.through(direct) : direct;
  const baseUrl = `${origin}/api/model-hub`;
  const discovery: DiscoveryService = {
    getBaseUrl: async () => baseUrl,
    getExternalBaseUrl: async () => baseUrl,
  };
  const client = new ModelHubClient({ discovery, auth: mockServices.auth() });
  return {
    client,
    discovery,
    baseUrl,
    origin,
    async download(entityRef, version, filePath) {
      const res = await fetch(
        `${baseUrl}${modelHubApiPaths.file(entityRef, version, filePath)}`,
        { headers: { authorization: mockCredentials.user.header(ALICE) } },
      );
      if (!res.ok) throw new Error(`download failed: ${res.status}`);
      return Buffer.from(await res.arrayBuffer());
    },
    async getJson(apiPath) {
      const res = await fetch(`${baseUrl}${apiPath}`, {
        headers: { authorization: mockCredentials.user.header(ALICE) },
      });
      return { status: res.status, body: await res.json() };
    },
    async stop() {
      await backend.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A mock action context that runs as `user` and records outputs. Give two
 * contexts the same `checkpoints` map to replay a step as a resumed task
 * does: successful checkpoints return their stored value.
 */
export function actionContext<I extends JsonObject>(
  input: I,
  options: {
    user?: string;
    isDryRun?: boolean;
    checkpoints?: Map<string, unknown>;
  } = {},
) {
  const base = createMockActionContext<I>({ input });
  const credentials = mockCredentials.user(options.user ?? ALICE);
  const outputs: Record<string, unknown> = {};
  return {
    ...base,
    isDryRun: options.isDryRun,
    getInitiatorCredentials: async () => credentials,
    ...(options.checkpoints && {
      async checkpoint<T>(opts: { key: string; fn: () => Promise<T> | T }) {
        const store = options.checkpoints!;
        if (!store.has(opts.key)) store.set(opts.key, await opts.fn());
        return store.get(opts.key) as T;
      },
    }),
    output: jest.fn((name: string, value: unknown) => {
      outputs[name] = value;
    }),
    outputs,
  };
}
