import {
  createMockDirectory,
  mockCredentials,
  TestDatabases,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  ALICE,
  MARKETING,
  MIA,
  startHubCatalogBackend,
} from './__testUtils__/hubCatalogBackend';
import { waitFor } from './__testUtils__/waitFor';

// The hub's real plugin next to a real catalog: search, facets and paging
// are the catalog's own (SQL) behaviour, visibility its real policy.

const model = (
  name: string,
  owner: string,
  spec: Record<string, string>,
  title?: string,
) => `
---
apiVersion: modelhub.io/v1alpha1
kind: Model
metadata:
  name: ${name}
${
  title ? `  title: ${title}\n` : ''
}  description: ${name} model for the search test
spec:
  type: classifier
  owner: ${owner}
  tier: community
  license: MIT
  lifecycle: ${spec.lifecycle ?? 'production'}
  task: ${spec.task}
${spec.framework ? `  framework: ${spec.framework}\n` : ''}`;

const MODELS = `
${model('campaign-scorer', MARKETING, {
  task: 'text-classification',
  framework: 'onnx',
})}
${model(
  'churn',
  'group:default/ml-team',
  { task: 'tabular-classification', framework: 'sklearn' },
  'Churn Predictor',
)}
${model('sentiment', 'group:default/ml-team', {
  task: 'text-classification',
  framework: 'pytorch',
})}
${model('intent', 'group:default/ml-team', { task: 'text-classification' })}
${model('old-tagger', 'group:default/ml-team', {
  task: 'text-classification',
  framework: 'onnx',
  lifecycle: 'archived',
})}
`;

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

describe.each(databases.eachSupportedId())(
  'GET /api/model-hub/v1/models against a real catalog (end to end, %s)',
  databaseId => {
    jest.setTimeout(180_000);
    const dir = createMockDirectory();
    /**
     * SQLite: each plugin's own in-memory database. PostgreSQL: one fresh
     * database, a schema per plugin (the catalog's SQL, and so its matching
     * and ordering, differ between the two).
     */
    let closeConnections: (() => Promise<unknown>) | undefined;
    afterEach(async () => {
      await closeConnections?.();
    });
    const start = async (yaml: string) => {
      if (databaseId === 'SQLITE_3') return startHubCatalogBackend(dir, yaml);
      const knex = await databases.init(databaseId);
      // The stopped backend's pools can outlive the test and block the
      // database's removal at the end; end their connections after it.
      closeConnections = () =>
        knex.raw(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
        );
      const { database } = knex.client.config.connection as {
        database: string;
      };
      const server = new URL(
        process.env.BACKSTAGE_TEST_DATABASE_POSTGRES16_CONNECTION_STRING!,
      );
      return startHubCatalogBackend(dir, yaml, {
        database: {
          client: 'pg',
          connection: {
            host: server.hostname,
            port: Number(server.port || 5432),
            user: decodeURIComponent(server.username),
            password: decodeURIComponent(server.password),
            database,
          },
          pluginDivisionMode: 'schema',
        },
      });
    };

    it('searches, filters, counts facets, sorts with missing values last, pages by cursor and respects visibility', async () => {
      const { backend } = await start(MODELS);
      const search = (query: string, user = MIA) =>
        request(backend.server)
          .get(`/api/model-hub/v1/models${query}`)
          .set('Authorization', mockCredentials.user.header(user));
      const names = (body: any): string[] =>
        body.items.map((i: any) => i.entity.metadata.name);
      const counts = (body: any, facet: string) =>
        Object.fromEntries(
          body.facets[facet].map((c: any) => [c.value, c.count]),
        );

      try {
        await waitFor(
          'the YAML models with their owners',
          async () => {
            const res = await search('?archived=true');
            return res.status === 200 &&
              res.body.totalItems === 5 &&
              res.body.items.every((i: any) =>
                i.entity.relations?.some((r: any) => r.type === 'ownedBy'),
              )
              ? true
              : undefined;
          },
          90_000,
        );

        // Everything Mia may see, archived hidden, sorted by name, with the
        // hub's tier of each model and facet counts over the matches.
        const all = await search('');
        expect(all.status).toBe(200);
        expect(names(all.body)).toEqual([
          'campaign-scorer',
          'churn',
          'intent',
          'sentiment',
        ]);
        expect(all.body.totalItems).toBe(4);
        expect(all.body.items[0].tier).toMatchObject({
          requestedTier: 'community',
          effectiveTier: null,
          status: 'not-run',
          version: null,
        });
        expect(counts(all.body, 'task')).toEqual({
          'text-classification': 3,
          'tabular-classification': 1,
        });
        expect(counts(all.body, 'owner')).toEqual({
          [MARKETING]: 1,
          'group:default/ml-team': 3,
        });

        // A facet click right after: the total is the count just shown (the
        // hub keeps it from the facet counts), and it is the catalog's.
        const click = await search('?task=tabular-classification&facets=false');
        expect(names(click.body)).toEqual(['churn']);
        expect(click.body.totalItems).toBe(1);
        const byOwner = await search(
          `?owner=${encodeURIComponent('group:default/ml-team')}&facets=false`,
        );
        expect(names(byOwner.body)).toEqual(['churn', 'intent', 'sentiment']);
        expect(byOwner.body.totalItems).toBe(3);

        // A chosen task narrows the page and every other facet, but its own
        // facet still counts the alternatives.
        const text = await search('?task=text-classification');
        expect(names(text.body)).toEqual([
          'campaign-scorer',
          'intent',
          'sentiment',
        ]);
        expect(counts(text.body, 'task')).toEqual({
          'text-classification': 3,
          'tabular-classification': 1,
        });
        expect(counts(text.body, 'framework')).toEqual({ onnx: 1, pytorch: 1 });

        // Full-text search (title and description too), facets counted over the matches.
        const churn = await search('?q=predictor');
        expect(names(churn.body)).toEqual(['churn']);
        expect(counts(churn.body, 'framework')).toEqual({ sklearn: 1 });
        const byText = await search('?q=model&framework=onnx');
        expect(names(byText.body)).toEqual(['campaign-scorer']);
        expect(counts(byText.body, 'framework')).toEqual({
          onnx: 1,
          sklearn: 1,
          pytorch: 1,
        });

        // Sorting by a column some models lack: those with a value first
        // (descending here), then the rest by name; cursor pages of two.
        const seen: string[] = [];
        let page = await search('?sort=-framework&limit=2');
        expect(page.body.totalItems).toBe(4);
        seen.push(...names(page.body));
        while (page.body.pageInfo.nextCursor) {
          page = await search(
            `?cursor=${encodeURIComponent(page.body.pageInfo.nextCursor)}`,
          );
          expect(page.status).toBe(200);
          expect(page.body.facets).toBeUndefined();
          seen.push(...names(page.body));
        }
        expect(seen).toEqual([
          'churn',
          'sentiment',
          'campaign-scorer',
          'intent',
        ]);

        // Archived models when asked for, or when the lifecycle is chosen.
        expect(names((await search('?lifecycle=archived')).body)).toEqual([
          'old-tagger',
        ]);

        // A chosen value is matched whole: one holding a comma (which no
        // valid Model value has) is neither split nor read as a second
        // condition (the hub sends such values as a predicate, the rest in
        // the catalog's cheaper GET filter form).
        const widened = await search(
          `?license=${encodeURIComponent('nothing,spec.license=MIT')}`,
        );
        expect(widened.status).toBe(200);
        expect(widened.body.totalItems).toBe(0);
        expect(names(widened.body)).toEqual([]);
        expect(
          (
            await search(
              `?license=${encodeURIComponent(
                'nothing,kind=group',
              )}&facets=false`,
            )
          ).body.totalItems,
        ).toBe(0);

        // Alice never sees marketing's model: not in items, totals or counts.
        const alice = await search('', ALICE);
        expect(names(alice.body)).toEqual(['churn', 'intent', 'sentiment']);
        expect(alice.body.totalItems).toBe(3);
        expect(counts(alice.body, 'owner')).toEqual({
          'group:default/ml-team': 3,
        });
        expect(counts(alice.body, 'framework')).toEqual({
          sklearn: 1,
          pytorch: 1,
        });
        const aliceText = await search('?q=campaign', ALICE);
        expect(aliceText.body.totalItems).toBe(0);
        expect(counts(aliceText.body, 'task')).toEqual({});

        // The page without facet counts (what the hub page asks first) and
        // the counts alone: the same answers, and Alice is still not shown
        // marketing's model in either, with or without a text term.
        const pageOnly = await search('?task=text-classification&facets=false');
        expect(pageOnly.status).toBe(200);
        expect(names(pageOnly.body)).toEqual(names(text.body));
        expect(pageOnly.body.totalItems).toBe(3);
        expect(pageOnly.body.facets).toBeUndefined();
        const facetsOf = (query: string, user = MIA) =>
          request(backend.server)
            .get(`/api/model-hub/v1/models/facets${query}`)
            .set('Authorization', mockCredentials.user.header(user));
        const facetsOnly = await facetsOf('?task=text-classification');
        expect(facetsOnly.status).toBe(200);
        expect(facetsOnly.body.facets).toEqual(text.body.facets);
        expect(facetsOnly.body.items).toBeUndefined();
        const alicePage = await search('?facets=false', ALICE);
        expect(names(alicePage.body)).toEqual(['churn', 'intent', 'sentiment']);
        expect(alicePage.body.totalItems).toBe(3);
        const aliceFacets = await facetsOf('', ALICE);
        expect(counts(aliceFacets.body, 'owner')).toEqual({
          'group:default/ml-team': 3,
        });
        expect(
          counts((await facetsOf('?q=campaign', ALICE)).body, 'task'),
        ).toEqual({});
        expect(
          (await search('?q=campaign&facets=false', ALICE)).body.totalItems,
        ).toBe(0);
        // A total counted on Mia's page is never Alice's.
        expect((await search('?q=model&facets=false')).body.totalItems).toBe(4);
        expect(
          (await search('?q=model&facets=false', ALICE)).body.totalItems,
        ).toBe(3);
        expect((await search('?facets=maybe')).status).toBe(400);
        expect((await facetsOf('?cursor=abc')).status).toBe(400);
        expect(
          (await request(backend.server).get('/api/model-hub/v1/models/facets'))
            .status,
        ).toBe(401);

        // A forged cursor cannot widen the search to other kinds, and bad
        // input is a one-line 400.
        const forged = Buffer.from(
          JSON.stringify({ qs: { kind: 'User' }, phase: 1, t: 0 }),
        ).toString('base64url');
        const forgedRes = await search(`?cursor=${forged}`);
        expect(forgedRes.status).toBe(400);
        expect(forgedRes.body.error.message).toMatch(/Invalid model search/);
        expect((await search('?cursor=nonsense')).body.error.message).toMatch(
          /Invalid cursor/,
        );
        expect((await search('?sort=size')).status).toBe(400);
        expect((await search('?limit=1000')).status).toBe(400);
        const unauthenticated = await request(backend.server).get(
          '/api/model-hub/v1/models',
        );
        expect(unauthenticated.status).toBe(401);
      } finally {
        await backend.stop();
      }
    });

    it('refuses an unknown value of an enumerated filter (tier, lifecycle, task) with a one-line 400 naming the allowed ones', async () => {
      const { backend } = await start(MODELS);
      const get = (path: string) =>
        request(backend.server)
          .get(`/api/model-hub/v1/${path}`)
          .set('Authorization', mockCredentials.user.header(MIA));
      try {
        for (const [query, hint] of [
          [
            'tier=platinum',
            "unknown tier 'platinum'; one of official, community, external",
          ],
          ['tier=official&tier=gold', "unknown tier 'gold'"],
          [
            'lifecycle=retired',
            "unknown lifecycle 'retired'; one of experimental, production",
          ],
          [
            'task=text-clasification',
            "unknown task 'text-clasification'; one of text-classification",
          ],
        ]) {
          for (const path of [`models?${query}`, `models/facets?${query}`]) {
            const res = await get(path);
            expect(res.status).toBe(400);
            expect(res.body.error.message).toContain(hint);
            expect(res.body.error.message).not.toContain('\n');
          }
        }
        // Known values pass, in any case (the catalog matches case-insensitively).
        for (const query of [
          'tier=Official',
          'lifecycle=archived',
          'task=fill-mask',
        ]) {
          expect((await get(`models?${query}&facets=false`)).status).toBe(200);
        }
      } finally {
        await backend.stop();
      }
    });
  },
);
