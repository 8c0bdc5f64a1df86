import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import request from 'supertest';
import { HubBackend, startHubBackend } from '../__testUtils__/hubBackend';
import { until } from '../__testUtils__/integration';
import { safetensorsFile } from '../__testUtils__/safetensors';
import { FakeHuggingFaceFiles } from '../demo/FakeHuggingFaceFiles';
import {
  fakeCommitSha,
  FakeHuggingFaceServer,
} from '../demo/FakeHuggingFaceServer';
import { mapHuggingFaceModel } from '../huggingface/mapHuggingFaceModel';

/*
 * Auto-import through the backend's scheduler (the test one, which runs
 * the task at start-up): the task imports the mirrored
 * commit of every ingested model on `modelHub.ingestion.import.autoImport`
 * (a glob here), attributed to the auto-import principal, and leaves the
 * other ingested models alone.
 */

jest.setTimeout(60_000);

const OWNER = 'user:default/ava';
const TOKEN = 'hf_fakeTokenForTests';

describe('auto-import of allow-listed models', () => {
  let hf: FakeHuggingFaceServer;
  let files: FakeHuggingFaceFiles;
  let hub: HubBackend;
  const entities: Record<string, Entity> = {};

  beforeAll(async () => {
    const ids = ['acme/auto-one', 'acme/auto-two', 'acme/manual'];
    hf = await FakeHuggingFaceServer.start({
      repos: ids.map(id => ({
        id,
        sha: fakeCommitSha(id),
        lastModified: '2026-12-01T00:00:00.000Z',
        createdAt: '2026-11-01T00:00:00.000Z',
        private: false,
        files: {
          'config.json': JSON.stringify({ id }),
          'model.safetensors': safetensorsFile([1, 2, 3]),
        } as Record<string, string | Buffer>,
      })),
      collections: [],
      token: TOKEN,
    });
    files = await FakeHuggingFaceFiles.attach(hf);
    for (const id of ids) {
      entities[id] = mapHuggingFaceModel(
        { id, sha: hf.repo(id).sha, cardData: { license: 'apache-2.0' } },
        'unavailable',
        {
          sourceId: 'hf',
          endpoint: hf.url,
          owner: 'group:default/ml-platform',
          defaultLicense: 'NOASSERTION',
          namespace: 'default',
        },
      );
    }
    hub = await startHubBackend({
      entities: Object.values(entities),
      ingestion: {
        huggingFace: {
          endpoint: hf.url,
          token: TOKEN,
          owner: 'group:default/ml-platform',
        },
        import: {
          autoImport: ['acme/auto-*'],
          // No initial delay: the test backend's scheduler runs the task
          // once at start-up (it has no clock of its own).
          schedule: { frequency: { minutes: 10 }, timeout: { minutes: 1 } },
        },
      },
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await files?.close();
    await hf?.close();
  });

  const importsOf = async (id: string) =>
    (
      await request(hub.server)
        .get(
          `/api/model-hub/v1/models/default/${entities[id].metadata.name}/imports`,
        )
        .set('authorization', mockCredentials.user.header(OWNER))
    ).body.items as Array<Record<string, unknown>>;

  it('imports the allow-listed models, as the auto-import principal, and no other', async () => {
    for (const id of ['acme/auto-one', 'acme/auto-two']) {
      const [done] = await until(`the auto-import of ${id}`, async () => {
        const items = await importsOf(id);
        return items.some(i => i.state !== 'importing') ? items : undefined;
      });
      expect(done).toMatchObject({
        remoteId: id,
        version: `0.0.0-g${hf.repo(id).sha}`,
        state: 'imported',
        requestedBy: 'model-hub:auto-import',
      });
      const version = await request(hub.server)
        .get(
          `/api/model-hub/v1/models/default/${
            entities[id].metadata.name
          }/versions/0.0.0-g${hf.repo(id).sha}`,
        )
        .set('authorization', mockCredentials.user.header(OWNER));
      expect(version.body.state).toBe('sealed');
    }
    // The model not on the list is left to its owners.
    expect(await importsOf('acme/manual')).toEqual([]);
  });
});
