/*
 * Error bodies through the real routes: with internal detail hidden (the
 * production default), an unexpected error is one line with a request id and
 * the log has the error and its stack under that id; deliberate 4xx keep
 * their one line. With modelHub.errors.exposeInternal the detail shows.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  coreServices,
  createServiceFactory,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { InputError, ResponseError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  MODEL_HUB_SHA256_HEADER,
  modelHubApiPaths,
  modelHubTokenPaths,
} from '@internal/plugin-model-hub-common';
import request from 'supertest';
import { sha256 } from '../__testUtils__/fixtures';
import { publishVersion } from '../__testUtils__/publish';
import {
  ModelHubTestBackend,
  startModelHubTestBackend,
} from '../__testUtils__/modelHubBackend';
import { readExposeInternalErrors } from './errorBoundary';

jest.setTimeout(120_000);

const ALICE = 'user:default/alice';
const asAlice = mockCredentials.user.header(ALICE);
const MODEL = 'model:default/support-assistant';
const INTERNAL =
  /^Internal error in Model Hub \(request ([0-9a-f]{16})\); the portal log has the details$/;

const model = (name: string): Entity => ({
  apiVersion: 'modelhub.io/v1alpha1',
  kind: 'Model',
  metadata: { name, namespace: 'default' },
  spec: {
    owner: 'group:default/ml-team',
    type: 'llm',
    lifecycle: 'production',
  },
});

/** Errors the catalog throws when asked for `model:default/<key>`. */
const FAULTS: Record<string, () => Promise<never>> = {
  typeerror: async () => {
    const x: any = undefined;
    x.spec.owner(); // a real TypeError with a real stack
    throw new Error('unreachable');
  },
  homepath: async () => {
    throw new Error(
      "EACCES: permission denied, open '/home/alice/.config/portal/catalog.json'",
    );
  },
  winpath: async () => {
    throw new Error(
      "ENOENT: no such file or directory, open 'C:\\portal\\data\\catalog.db'",
    );
  },
  stackinmessage: async () => {
    throw new Error(
      'lookup failed\n    at Catalog.get (/srv/portal/node_modules/x/index.js:10:5)',
    );
  },
  inputcause: async () => {
    const cause = Object.assign(
      new Error("ENOENT: no such file or directory, open '/var/lib/x.json'"),
      { code: 'ENOENT' },
    );
    throw new InputError('Model reference is malformed', cause);
  },
  downstream403: async () => {
    throw await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: { name: 'NotAllowedError', message: 'Catalog says no' },
          response: { statusCode: 403 },
        }),
        {
          status: 403,
          statusText: 'Forbidden',
          headers: { 'Content-Type': 'application/json' },
        },
      ) as any,
    );
  },
};

interface Logged {
  level: string;
  message: string;
  fields: Record<string, unknown>;
  meta?: unknown;
}

function capturingLogger(
  logged: Logged[],
  fields: Record<string, unknown> = {},
): LoggerService {
  const at =
    (level: string) =>
    (message: string, meta?: unknown): void =>
      void logged.push({ level, message, fields, meta });
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    child: more => capturingLogger(logged, { ...fields, ...more }),
  };
}

async function start(options: {
  exposeInternal?: boolean;
  knex?: any;
  logged: Logged[];
}): Promise<ModelHubTestBackend> {
  return startModelHubTestBackend({
    entities: [
      model('support-assistant'),
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: { name: 'alice', namespace: 'default' },
        spec: { memberOf: ['ml-team'] },
      },
    ],
    groups: { [ALICE]: ['group:default/ml-team'] },
    knex: options.knex,
    modelHub:
      options.exposeInternal === undefined
        ? {}
        : { errors: { exposeInternal: options.exposeInternal } },
    wrapCatalog: (catalog): CatalogService =>
      new Proxy(catalog, {
        get(target, prop) {
          if (prop === 'getEntityByRef') {
            return (ref: string, opts: any) => {
              const key = String(ref).replace(/^model:default\//i, '');
              return FAULTS[key]
                ? FAULTS[key]()
                : target.getEntityByRef(ref, opts);
            };
          }
          const value = Reflect.get(target, prop);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }),
    features: [
      createServiceFactory({
        service: coreServices.logger,
        deps: {},
        factory: () => capturingLogger(options.logged),
      }),
    ],
  });
}

/** The body must not carry a path, a stack frame or SQL; returns the request id. */
function expectInternal(res: request.Response, status = 500): string {
  expect({ status: res.status, body: res.body }).toEqual({
    status,
    body: expect.objectContaining({
      error: expect.objectContaining({
        name: 'Error',
        message: expect.stringMatching(INTERNAL),
      }),
      response: { statusCode: status },
    }),
  });
  // The request line echoes the caller's own URL; everything else is ours.
  const text = JSON.stringify({ ...res.body, request: undefined });
  expect(text).not.toMatch(/(^|[^\w.])\/[\w.-]+\//); // absolute POSIX path
  expect(text).not.toMatch(/[A-Za-z]:\\/); // Windows path
  expect(text).not.toMatch(/\bat\s.*:\d+:\d+/); // stack frame
  expect(text).not.toMatch(/\b(select|insert|update|from|where)\b/i); // SQL
  expect(text).not.toContain('\\n');
  return INTERNAL.exec(res.body.error.message)![1];
}

/** The full error the log has under the request id: message and stack. */
function loggedDetail(logged: Logged[], requestId: string): string {
  const entry = logged.find(
    l => l.level === 'error' && l.fields.requestId === requestId,
  );
  expect(entry?.message).toContain(requestId);
  // fs errors come from another realm than jest's Error: check the shape.
  const error = entry?.meta as Error;
  expect(typeof error?.stack).toBe('string');
  return `${error.message}\n${error.stack}`;
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

describe.each(databases.eachSupportedId())(
  'error bodies with internal detail hidden, on %p',
  (databaseId: TestDatabaseId) => {
    const logged: Logged[] = [];
    let backend: ModelHubTestBackend;
    let knex: any;
    const api = (p: string) => `/api/model-hub${p}`;
    const versionsOf = (name: string) =>
      api(modelHubApiPaths.versions(`model:default/${name}`));

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      // Not configured: hidden is the default outside NODE_ENV=development.
      backend = await start({ knex, logged });
    });
    afterAll(async () => {
      await backend?.stop();
    });

    it.each([
      ['a TypeError', 'typeerror', /TypeError[\s\S]*at /],
      ['a message with a /home path', 'homepath', /\/home\/alice/],
      ['a message with a C:\\ path', 'winpath', /C:\\portal/],
      ['a message carrying stack frames', 'stackinmessage', /\/srv\/portal/],
    ])('%s from a dependency is one line', async (_what, key, detail) => {
      const res = await request(backend.server)
        .get(versionsOf(key))
        .set('Authorization', asAlice);
      expect(loggedDetail(logged, expectInternal(res))).toMatch(detail);
    });

    it('an upload whose staging directory is broken on disk names no path', async () => {
      const created = await request(backend.server)
        .post(api(modelHubApiPaths.versions(MODEL)))
        .set('Authorization', asAlice)
        .send({ version: '1.0.0' });
      expect(created.status).toBe(201);
      const staging = path.join(backend.dataDir, 'staging');
      await fs.rm(staging, { recursive: true, force: true });
      await fs.writeFile(staging, 'not a directory');
      try {
        const bytes = Buffer.from('weights');
        const res = await request(backend.server)
          .put(api(modelHubApiPaths.file(MODEL, '1.0.0', 'model.bin')))
          .set('Authorization', asAlice)
          .set('Content-Type', 'application/octet-stream')
          .set(MODEL_HUB_SHA256_HEADER, sha256(bytes))
          .send(bytes);
        expect(loggedDetail(logged, expectInternal(res))).toMatch(/staging/);
      } finally {
        await fs.rm(staging, { force: true });
      }
    });

    it('a download whose artifact is gone from disk names no path', async () => {
      const bytes = Buffer.from('stored weights');
      const file = (status: number) =>
        request(backend.server)
          .get(api(modelHubApiPaths.file(MODEL, '2.0.0', 'w.bin')))
          .set('Authorization', asAlice)
          .expect(status);
      await publishVersion({
        server: backend.server,
        auth: asAlice,
        entityRef: MODEL,
        version: '2.0.0',
        files: { 'w.bin': bytes },
      });
      await file(200);

      const artifacts = path.join(backend.dataDir, 'artifacts');
      const aside = `${artifacts}.aside`;
      await fs.rename(artifacts, aside);
      try {
        // ENOENT: the store's own one-line 404, no path.
        const missing = await file(404);
        expect(missing.body.error.message).toMatch(
          /^Artifact [0-9a-f]{64} is not stored$/,
        );
        // ENOTDIR: unexpected, so one line and the log.
        await fs.writeFile(artifacts, 'not a directory');
        expect(loggedDetail(logged, expectInternal(await file(500)))).toMatch(
          /artifacts/,
        );
      } finally {
        await fs.rm(artifacts, { force: true });
        await fs.rename(aside, artifacts);
      }
      await file(200);
    });

    it('a database error shows no SQL', async () => {
      await knex.schema.renameTable('model_versions', 'model_versions_aside');
      try {
        const res = await request(backend.server)
          .get(api(modelHubApiPaths.versions(MODEL)))
          .set('Authorization', asAlice);
        expect(loggedDetail(logged, expectInternal(res))).toMatch(
          /model_versions/,
        );
      } finally {
        await knex.schema.renameTable('model_versions_aside', 'model_versions');
      }
    });

    it('a token check failing in the credentials barrier shows no SQL', async () => {
      const created = await request(backend.server)
        .post(api(modelHubTokenPaths.tokens))
        .set('Authorization', asAlice)
        .send({ name: 'ci', scopes: ['read'] })
        .expect(201);
      const withToken = () =>
        request(backend.server)
          .get(api(modelHubApiPaths.versions(MODEL)))
          .set('Authorization', `Bearer ${created.body.token}`);
      expect((await withToken()).status).toBe(200);
      await knex.schema.renameTable('model_hub_access_tokens', 'tokens_aside');
      try {
        expect(loggedDetail(logged, expectInternal(await withToken()))).toMatch(
          /model_hub_access_tokens/,
        );
      } finally {
        await knex.schema.renameTable(
          'tokens_aside',
          'model_hub_access_tokens',
        );
      }
    });

    it('deliberate 4xx keep their one line, without internal causes', async () => {
      const get = (name: string) =>
        request(backend.server)
          .get(versionsOf(name))
          .set('Authorization', asAlice);
      expect((await get('nowhere')).body.error).toEqual({
        name: 'NotFoundError',
        message: 'Model model:default/nowhere not found in the catalog',
      });
      const input = await get('inputcause');
      expect(input.status).toBe(400);
      expect(input.body.error).toEqual({
        name: 'InputError',
        message: 'Model reference is malformed',
      });
      const remote = await get('downstream403');
      expect(remote.status).toBe(403);
      expect(remote.body.error).toEqual({
        name: 'ResponseError',
        message: 'Request failed with 403 Forbidden: Catalog says no',
      });
      const json = await request(backend.server)
        .post(api(modelHubApiPaths.versions(MODEL)))
        .set('Authorization', asAlice)
        .set('Content-Type', 'application/json')
        .send('{"version":');
      expect(json.status).toBe(400);
      expect(json.body.error.message).not.toMatch(INTERNAL);
      expect(json.body.error.message).not.toContain('\n');
      expect(json.body.error.stack).toBeUndefined();
    });
  },
);

describe('error bodies with modelHub.errors.exposeInternal', () => {
  const logged: Logged[] = [];
  let backend: ModelHubTestBackend;
  beforeAll(async () => {
    backend = await start({ exposeInternal: true, logged });
  });
  afterAll(async () => {
    await backend?.stop();
  });

  it('show the internal message, for developers', async () => {
    const res = await request(backend.server)
      .get(
        `/api/model-hub${modelHubApiPaths.versions('model:default/homepath')}`,
      )
      .set('Authorization', asAlice);
    expect(res.status).toBe(500);
    expect(res.body.error.message).toContain('/home/alice/.config');
  });
});

describe('readExposeInternalErrors', () => {
  const env = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = env;
  });
  const read = (data: object) =>
    readExposeInternalErrors(mockServices.rootConfig({ data }));

  it('exposes detail by default only in development', () => {
    process.env.NODE_ENV = 'development';
    expect(read({})).toBe(true);
    process.env.NODE_ENV = 'production';
    expect(read({})).toBe(false);
    process.env.NODE_ENV = 'test';
    expect(read({})).toBe(false);
  });

  it('follows the config switch in any mode', () => {
    process.env.NODE_ENV = 'development';
    expect(read({ modelHub: { errors: { exposeInternal: false } } })).toBe(
      false,
    );
    process.env.NODE_ENV = 'production';
    expect(read({ modelHub: { errors: { exposeInternal: true } } })).toBe(true);
  });
});
