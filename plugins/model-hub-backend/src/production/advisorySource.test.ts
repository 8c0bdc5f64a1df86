import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { ConfigSources, FileConfigSource } from '@backstage/config-loader';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { modelHubPlugin } from '../plugin';
import { catalogServiceHubCatalogFactory } from '../__testUtils__/modelHubBackend';
import { assertAdvisorySource, DEMO_ADVISORIES_MARKER } from './advisorySource';

jest.setTimeout(60_000);

const REPO_ROOT = path.resolve(__dirname, '../../../..');
const DEMO = path.join(REPO_ROOT, 'examples/advisories');
const RECORD = path.join(DEMO, 'PyPI/GHSA-53q9-r3pm-6pq6.json');

/** Every variable the production file names, except the advisory directory. */
const PRODUCTION_ENV: Record<string, string> = {
  APP_BASE_URL: 'https://hub.example.com',
  BACKEND_BASE_URL: 'https://hub.example.com',
  POSTGRES_HOST: 'db',
  POSTGRES_PORT: '5432',
  POSTGRES_USER: 'hub',
  POSTGRES_PASSWORD: 'secret',
  MODEL_HUB_TOKEN: 'ci-token',
  MODEL_HUB_TOKEN_PEPPER: 'pepper',
  MODEL_HUB_S3_BUCKET: 'models',
  AWS_REGION: 'eu-west-1',
};

/** app-config.yaml + app-config.production.yaml, as the backend loads them. */
async function loadProductionConfig(env: Record<string, string>) {
  const substitutionFunc = async (name: string) => env[name];
  const config = await ConfigSources.toConfig(
    ConfigSources.merge(
      ['app-config.yaml', 'app-config.production.yaml'].map(file =>
        FileConfigSource.create({
          path: path.join(REPO_ROOT, file),
          watch: false,
          substitutionFunc,
        }),
      ),
    ),
  );
  config.close();
  return config;
}

function startWith(modelHub: object, dataDir: string) {
  return startTestBackend({
    features: [
      modelHubPlugin,
      catalogServiceMock.factory({ entities: [] }),
      catalogServiceHubCatalogFactory,
      mockServices.rootConfig.factory({
        data: {
          modelHub: {
            ...modelHub,
            artifacts: {
              stagingDirectory: path.join(dataDir, 'staging'),
              local: { directory: path.join(dataDir, 'artifacts') },
            },
          },
        },
      }),
    ],
  });
}

describe('production config', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'advisory-source-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('does not inherit the demo seeder and requires advisories', async () => {
    const config = await loadProductionConfig(PRODUCTION_ENV);
    // The base file seeds examples; the production file unsets it.
    const base = await ConfigSources.toConfig(
      FileConfigSource.create({
        path: path.join(REPO_ROOT, 'app-config.yaml'),
        watch: false,
      }),
    );
    base.close();
    expect(base.getOptionalString('modelHub.examples.seedFile')).toBeTruthy();
    expect(config.getOptionalString('modelHub.examples.seedFile')).toBeFalsy();
    expect(
      config.getBoolean('modelHub.gauntlet.security.advisoriesRequired'),
    ).toBe(true);
  });

  it('refuses to start when MODEL_HUB_ADVISORY_DIRECTORY is unset (the demo excerpt shows through)', async () => {
    const config = await loadProductionConfig(PRODUCTION_ENV);
    // The trap: an unset variable drops the key and app-config.yaml's demo
    // directory shows through.
    expect(
      config.getString('modelHub.gauntlet.security.advisoryDirectory'),
    ).toBe('../../examples/advisories');
    const modelHub = config.getConfig('modelHub').get<object>();
    // Relative paths resolve against the backend's working directory,
    // packages/backend, whichever directory the test runner started in.
    const cwd = process.cwd();
    process.chdir(path.join(REPO_ROOT, 'packages/backend'));
    try {
      await expect(startWith(modelHub, dir)).rejects.toThrow(
        /Model Hub refuses to start: the advisory directory .* is the demo excerpt; set modelHub\.gauntlet\.security\.advisoryDirectory/,
      );
    } finally {
      process.chdir(cwd);
    }
  });

  it('starts in production with a real advisory directory', async () => {
    const real = path.join(dir, 'osv');
    await fs.mkdir(path.join(real, 'PyPI'), { recursive: true });
    await fs.copyFile(RECORD, path.join(real, 'PyPI/record.json'));
    const config = await loadProductionConfig({
      ...PRODUCTION_ENV,
      MODEL_HUB_ADVISORY_DIRECTORY: real,
    });
    expect(
      config.getString('modelHub.gauntlet.security.advisoryDirectory'),
    ).toBe(real);
    const { gauntlet } = config.getConfig('modelHub').get<any>();
    const backend = await startWith({ gauntlet }, dir);
    await backend.stop();
  });
});

describe('assertAdvisorySource', () => {
  let dir: string;
  const required = (advisoryDirectory?: string) =>
    new ConfigReader({
      modelHub: {
        gauntlet: {
          security: { advisoryDirectory, advisoriesRequired: true },
        },
      },
    });

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'advisory-source-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('is required by default only when NODE_ENV is production', async () => {
    const none = new ConfigReader({});
    await expect(assertAdvisorySource(none, 'development')).resolves.toBe(
      undefined,
    );
    await expect(assertAdvisorySource(none, 'production')).rejects.toThrow(
      'Model Hub refuses to start: no advisory source is configured; set modelHub.gauntlet.security.advisoryDirectory',
    );
    const optedOut = new ConfigReader({
      modelHub: { gauntlet: { security: { advisoriesRequired: false } } },
    });
    await expect(assertAdvisorySource(optedOut, 'production')).resolves.toBe(
      undefined,
    );
  });

  it('refuses the demo excerpt however it is reached', async () => {
    const link = path.join(dir, 'link');
    await fs.symlink(DEMO, link);
    for (const candidate of [DEMO, path.join(DEMO, 'PyPI'), link, `${DEMO}/`]) {
      await expect(
        assertAdvisorySource(required(candidate), 'test'),
      ).rejects.toThrow(/is the demo excerpt/);
    }
    // A copy that keeps the marker is the demo all the same.
    await fs.mkdir(path.join(dir, 'copy'));
    await fs.copyFile(
      path.join(DEMO, DEMO_ADVISORIES_MARKER),
      path.join(dir, 'copy', DEMO_ADVISORIES_MARKER),
    );
    await fs.copyFile(RECORD, path.join(dir, 'copy/r.json'));
    await expect(
      assertAdvisorySource(required(path.join(dir, 'copy')), 'test'),
    ).rejects.toThrow(/is the demo excerpt/);
  });

  it('refuses a missing, non-directory or empty source, one line each', async () => {
    await fs.writeFile(path.join(dir, 'file.json'), '{}');
    await fs.mkdir(path.join(dir, 'empty'));
    await fs.writeFile(path.join(dir, 'empty/not-osv.json'), '{"x":1}');
    const cases: Array<[string, RegExp]> = [
      [path.join(dir, 'missing'), /does not exist or is not a directory/],
      [path.join(dir, 'file.json'), /does not exist or is not a directory/],
      [path.join(dir, 'empty'), /holds no OSV record/],
    ];
    for (const [candidate, reason] of cases) {
      const error = await assertAdvisorySource(
        required(candidate),
        'test',
      ).then(
        () => undefined,
        e => e as Error,
      );
      expect(error?.message).toMatch(reason);
      expect(error?.message).not.toContain('\n');
    }
  });
});
