import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import request from 'supertest';
import {
  HubBackend,
  rawBytes,
  startHubBackend,
} from '../__testUtils__/hubBackend';
import { until } from '../__testUtils__/integration';
import { safetensorsFile } from '../__testUtils__/safetensors';
import { FakeHuggingFaceFiles } from '../demo/FakeHuggingFaceFiles';
import {
  commitToRepo,
  fakeCommitSha,
  FakeHuggingFaceServer,
} from '../demo/FakeHuggingFaceServer';
import { mapHuggingFaceModel } from '../huggingface/mapHuggingFaceModel';

/*
 * Import of a Hugging Face repo at the commit the catalog mirrors, through
 * the hub's real route, from the fake Hub: the tree listing (paged), the
 * resolve route with LFS files redirected to a CDN on another origin. Each
 * LFS file must hash to its lfs.oid, other files to their git oid; a
 * tampered file stores no version.
 */

jest.setTimeout(120_000);

const OWNER = 'user:default/ava';
const TOKEN = 'hf_fakeTokenForTests';
const WEIGHTS = safetensorsFile([1, 2, 3, 4]);
const CARD = '# Carded\n\nA tiny model.\n<script>alert(1)</script>\n';
const CONFIG = JSON.stringify({ architectures: ['TinyModel'], hidden_size: 4 });

const sha256 = (b: Buffer | string) =>
  createHash('sha256').update(b).digest('hex');

describe('importing Hugging Face repos into the hub', () => {
  let hf: FakeHuggingFaceServer;
  let files: FakeHuggingFaceFiles;
  let hub: HubBackend;
  let tiny: Entity;
  let tampered: Entity;
  let carded: Entity;
  let oldSha: string;
  let cardedSha: string;

  const entityOf = (id: string, sha: string) =>
    mapHuggingFaceModel(
      { id, sha, cardData: { license: 'apache-2.0' } },
      'unavailable',
      {
        sourceId: 'hf',
        endpoint: hf.url,
        owner: 'group:default/ml-platform',
        defaultLicense: 'NOASSERTION',
        namespace: 'default',
      },
    );

  beforeAll(async () => {
    const repo = (id: string) => ({
      id,
      sha: fakeCommitSha(id),
      lastModified: '2026-12-01T00:00:00.000Z',
      createdAt: '2026-11-01T00:00:00.000Z',
      private: true,
      files: {
        'config.json': CONFIG,
        'model.safetensors': WEIGHTS,
        'tokenizer/vocab.txt': 'a\nb\nc\n',
      } as Record<string, string | Buffer>,
    });
    const withCard = repo('acme/carded');
    withCard.files['README.md'] = CARD;
    hf = await FakeHuggingFaceServer.start({
      repos: [repo('acme/tiny'), repo('acme/tampered'), withCard],
      collections: [],
      token: TOKEN,
    });
    // Two entries per page: the listing of 4 entries takes two pages.
    files = await FakeHuggingFaceFiles.attach(hf, { pageSize: 2 });
    oldSha = hf.repo('acme/tiny').sha;
    // A newer commit upstream; the catalog still mirrors the old one.
    commitToRepo(hf.repo('acme/tiny'), { files: { 'config.json': '{}' } });
    tiny = entityOf('acme/tiny', oldSha);
    tampered = entityOf('acme/tampered', hf.repo('acme/tampered').sha);
    cardedSha = hf.repo('acme/carded').sha;
    // The card changes upstream after the commit the catalog mirrors.
    commitToRepo(hf.repo('acme/carded'), {
      files: { 'README.md': '# A later card' },
    });
    carded = entityOf('acme/carded', cardedSha);
    files.tampered.set(sha256(WEIGHTS), safetensorsFile([1, 2, 3, 5]));
    hub = await startHubBackend({
      entities: [tiny, tampered, carded],
      ingestion: {
        huggingFace: {
          endpoint: hf.url,
          token: TOKEN,
          owner: 'group:default/ml-platform',
        },
      },
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await files?.close();
    await hf?.close();
  });

  const as = (user: string) => mockCredentials.user.header(user);
  const model = (e: Entity) =>
    `/api/model-hub/v1/models/default/${e.metadata.name}`;

  it('imports the mirrored commit: pinned version, verified files, scan, gauntlet, tier still external', async () => {
    // The tampered CDN answer is for the other repo's import below; this
    // repo's weights have the same oid, so serve the real bytes for now.
    const forged = files.tampered.get(sha256(WEIGHTS))!;
    files.tampered.clear();
    const res = await request(hub.server)
      .post(`${model(tiny)}/import`)
      .set('authorization', as(OWNER))
      .send({});
    files.tampered.set(sha256(WEIGHTS), forged);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      version: `0.0.0-g${oldSha}`,
      source: 'huggingface:hf',
      remoteId: 'acme/tiny',
      remoteVersion: oldSha,
      state: 'imported',
    });
    // The token went to the Hub, never to the CDN.
    expect(files.cdn.requests).toBeGreaterThan(0);
    expect(files.cdn.withAuthorization).toBe(0);

    const version = await request(hub.server)
      .get(`${model(tiny)}/versions/0.0.0-g${oldSha}`)
      .set('authorization', as(OWNER));
    expect(version.body.state).toBe('sealed');
    const byPath = Object.fromEntries(
      (
        version.body.files as Array<{
          path: string;
          sha256: string;
          scan: { verdict: string };
        }>
      ).map(f => [f.path, f]),
    );
    // Pinned: the old commit's config, not the newer upstream one.
    expect(Object.keys(byPath).sort()).toEqual([
      'config.json',
      'model.safetensors',
      'tokenizer/vocab.txt',
    ]);
    expect(byPath['config.json'].sha256).toBe(sha256(CONFIG));
    expect(byPath['model.safetensors'].sha256).toBe(sha256(WEIGHTS));
    expect(byPath['model.safetensors'].scan.verdict).toBe('safe');
    const stored = await fs.readFile(
      path.join(
        hub.dataDir,
        'artifacts',
        'sha256',
        sha256(WEIGHTS).slice(0, 2),
        sha256(WEIGHTS).slice(2),
      ),
    );
    expect(stored).toEqual(WEIGHTS);

    const pulled = await request(hub.server)
      .get(`${model(tiny)}/versions/0.0.0-g${oldSha}/files/config.json`)
      .set('authorization', as(OWNER))
      .buffer(true)
      .parse(rawBytes);
    expect(pulled.status).toBe(200);
    expect(pulled.body.toString()).toBe(CONFIG);

    const runs = await until('a gauntlet run', async () => {
      const r = await request(hub.server)
        .get(`${model(tiny)}/versions/0.0.0-g${oldSha}/gauntlet/runs`)
        .set('authorization', as(OWNER));
      return r.body.items?.length > 0 ? r.body.items : undefined;
    });
    // The gauntlet runs for the declared tier, which stays external.
    expect(runs[0].tier).toBe('external');
  });

  it('refuses a commit other than the one the catalog mirrors', async () => {
    const res = await request(hub.server)
      .post(`${model(tiny)}/import`)
      .set('authorization', as(OWNER))
      .send({ version: hf.repo('acme/tiny').sha });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(
      /pinned to the commit the catalog shows/,
    );
  });

  it('refuses a tampered LFS file: nothing is published, the failure names the file', async () => {
    const sha = hf.repo('acme/tampered').sha;
    const res = await request(hub.server)
      .post(`${model(tampered)}/import`)
      .set('authorization', as(OWNER))
      .send({});
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      new RegExp(
        `^model.safetensors of acme/tampered ${sha} was refused: SHA-256 mismatch: declared ${sha256(
          WEIGHTS,
        )}`,
      ),
    );
    const version = await request(hub.server)
      .get(`${model(tampered)}/versions/0.0.0-g${sha}`)
      .set('authorization', as(OWNER));
    expect(version.status).toBe(404);
    const listed = await request(hub.server)
      .get(`${model(tampered)}/versions`)
      .set('authorization', as(OWNER));
    expect(listed.body.items).toEqual([]);
    const imports = await request(hub.server)
      .get(`${model(tampered)}/imports`)
      .set('authorization', as(OWNER));
    expect(imports.body.items[0]).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(
        /^model.safetensors of acme\/tampered .* SHA-256 mismatch/,
      ),
    });
    // The forged bytes never reached the store.
    const forged = sha256(files.tampered.get(sha256(WEIGHTS))!);
    await expect(
      fs.access(
        path.join(
          hub.dataDir,
          'artifacts',
          'sha256',
          forged.slice(0, 2),
          forged.slice(2),
        ),
      ),
    ).rejects.toThrow();
  });

  it('serves the model card at the mirrored commit, read once with the source token, as untrusted text', async () => {
    const cardPath = `/acme/carded/resolve/${cardedSha}/README.md`;
    const first = await request(hub.server)
      .get(`${model(carded)}/upstream-card`)
      .set('authorization', as('user:default/someone-else'));
    expect(first.status).toBe(200);
    // The mirrored commit's card, not the newer one upstream; as-is (the
    // page renders it sanitised).
    expect(first.body).toEqual({
      source: 'huggingface:hf',
      remoteId: 'acme/carded',
      revision: cardedSha,
      markdown: CARD,
      truncated: false,
    });
    const again = await request(hub.server)
      .get(`${model(carded)}/upstream-card`)
      .set('authorization', as(OWNER));
    expect(again.body.markdown).toBe(CARD);
    // A card at one commit never changes: the source was asked once.
    expect(hf.requests.get(cardPath)).toBe(1);

    const none = await request(hub.server)
      .get(`${model(tiny)}/upstream-card`)
      .set('authorization', as(OWNER));
    expect(none.status).toBe(404);
    expect(none.body.error.message).toBe(
      `acme/tiny has no README.md at ${oldSha} on huggingface:hf`,
    );
    const unknown = await request(hub.server)
      .get('/api/model-hub/v1/models/default/not-there/upstream-card')
      .set('authorization', as(OWNER));
    expect(unknown.status).toBe(404);
  });
});
