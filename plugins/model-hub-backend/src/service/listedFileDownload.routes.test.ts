import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { modelHubApiPaths } from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import request from 'supertest';
import {
  ModelHubTestBackend,
  ownersPublishPolicy,
  startModelHubTestBackend,
} from '../__testUtils__/modelHubBackend';
import { publishVersion } from '../__testUtils__/publish';
import {
  BACKGROUND_STATEMENTS,
  countQueries,
} from '../__testUtils__/countQueries';

jest.setTimeout(180_000);

const ALICE = 'user:default/alice'; // member of group:default/ml-team
const BOB = 'user:default/bob'; // reads only
const MODEL_REF = 'model:default/support-assistant';
const model: Entity = {
  apiVersion: 'modelhub.io/v1alpha1',
  kind: 'Model',
  metadata: { name: 'support-assistant', namespace: 'default' },
  spec: { owner: 'ml-team', type: 'llm', lifecycle: 'production' },
};

/** The tables a version's lookup reads. */
const VERSION_TABLES = /model_versions|model_version_files|model_aliases/;

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

describe.each(databases.eachSupportedId())(
  'file downloads after the versions GET (%s)',
  databaseId => {
    let db: Knex;
    let hub: ModelHubTestBackend;
    const asAlice = mockCredentials.user.header(ALICE);
    const asBob = mockCredentials.user.header(BOB);
    const api = (p: string) => `/api/model-hub${p}`;
    const card = (v: string) => Buffer.from(`# support-assistant ${v}\n`);

    beforeAll(async () => {
      db = await databases.init(databaseId);
      hub = await startModelHubTestBackend({
        entities: [model],
        groups: { [ALICE]: ['group:default/ml-team'] },
        policy: ownersPublishPolicy(),
        knex: db,
      });
      await publishVersion({
        server: hub.server,
        auth: asAlice,
        entityRef: MODEL_REF,
        version: '1.0.0',
        files: { 'README.md': card('1.0.0'), 'model.bin': Buffer.from('w1') },
        aliases: ['latest'],
      });
    });

    afterAll(() => hub?.stop());

    const listVersions = () =>
      request(hub.server)
        .get(api(modelHubApiPaths.versions(MODEL_REF)))
        .set('Authorization', asBob)
        .expect(200);
    const readme = (versionOrAlias: string) =>
      request(hub.server)
        .get(api(modelHubApiPaths.file(MODEL_REF, versionOrAlias, 'README.md')))
        .set('Authorization', asBob)
        .set('Range', 'bytes=0-262143')
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        });

    it.each(['1.0.0', 'latest'])(
      'reads the README through %s from the listed versions, with no version query',
      async versionOrAlias => {
        await listVersions();
        const { value, statements } = await countQueries(
          db,
          () => readme(versionOrAlias),
          { ignore: BACKGROUND_STATEMENTS },
        );
        expect(value.status).toBe(206);
        expect((value.body as Buffer).equals(card('1.0.0'))).toBe(true);
        expect(statements.filter(s => VERSION_TABLES.test(s))).toEqual([]);
      },
    );

    it('follows an alias moved after the list was read', async () => {
      await listVersions();
      await publishVersion({
        server: hub.server,
        auth: asAlice,
        entityRef: MODEL_REF,
        version: '2.0.0',
        files: { 'README.md': card('2.0.0'), 'model.bin': Buffer.from('w2') },
        aliases: ['latest'],
      });
      const res = await readme('latest');
      expect(res.status).toBe(206);
      expect((res.body as Buffer).equals(card('2.0.0'))).toBe(true);
    });

    it('still answers 404 for a file or a version the list does not hold', async () => {
      await listVersions();
      expect((await readme('9.9.9')).status).toBe(404);
      const missing = await request(hub.server)
        .get(api(modelHubApiPaths.file(MODEL_REF, '1.0.0', 'nope.md')))
        .set('Authorization', asBob);
      expect(missing.status).toBe(404);
    });
  },
);
