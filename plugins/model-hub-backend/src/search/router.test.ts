import { mockCredentials } from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import { MODEL_API_VERSION } from '@internal/plugin-model-hub-common';
import { createTestHttpAuth } from '../__testUtils__/httpAuth';
import { ModelSearch, SearchCatalog } from './ModelSearch';
import { createModelSearchRouter } from './router';

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';

/** Facet counts as the catalog answers them for the unfiltered search. */
const FACETS: Record<string, Array<{ value: string; count: number }>> = {
  'spec.task': [
    { value: 'text-generation', count: 7 },
    { value: 'Text-Classification', count: 2 },
    { value: 'text-classification', count: 1 },
  ],
  'spec.lifecycle': [{ value: 'production', count: 9 }],
  'spec.framework': [{ value: 'pytorch', count: 4 }],
};

/**
 * A catalog that answers every page with one model and a total of 99 when
 * asked to count, and records what it was asked.
 */
function fakeCatalog(
  options: {
    /** Page queries wait for this before answering. */
    gate?: Promise<void>;
    /** Fails the nth page query (0-based) with a server error. */
    failQuery?: number;
  } = {},
) {
  const queries: Array<Record<string, unknown>> = [];
  const facetQueries: string[][] = [];
  const catalog: SearchCatalog = {
    async queryEntities(req: any) {
      const n = queries.push(req) - 1;
      await options.gate;
      if (n === options.failQuery) throw new Error('catalog unavailable');
      return {
        items: [
          {
            apiVersion: MODEL_API_VERSION,
            kind: 'Model',
            metadata: { name: 'm', namespace: 'default' },
            spec: {},
          },
        ],
        totalItems: req.totalItems === 'exclude' ? 0 : 99,
        pageInfo: {},
      };
    },
    async getEntityFacets(req: any) {
      facetQueries.push(req.facets);
      return {
        facets: Object.fromEntries(
          req.facets.map((f: string) => [f, FACETS[f] ?? []]),
        ),
      };
    },
  } as SearchCatalog;
  return { catalog, queries, facetQueries };
}

async function app(catalog: SearchCatalog, now?: () => number) {
  const search = new ModelSearch({
    catalog,
    now,
    tiers: {
      async getMany(models: any[]) {
        return new Map(
          models.map(m => [
            `model:default/${m.metadata.name}`,
            {
              requestedTier: null,
              effectiveTier: null,
              status: 'not-run',
              reason: '',
              version: null,
            },
          ]),
        ) as any;
      },
    },
    summaryTtlMs: 10_000,
  });
  const router = await createModelSearchRouter({
    httpAuth: createTestHttpAuth('model-hub'),
    search,
  });
  return express().use(router);
}

describe('GET /v1/models after GET /v1/models/facets', () => {
  const get = (server: express.Express, path: string, user = ALICE) =>
    request(server)
      .get(path)
      .set('Authorization', mockCredentials.user.header(user));

  it("answers a facet click's total from the counts the caller was shown, without a count query", async () => {
    const { catalog, queries } = fakeCatalog();
    const server = await app(catalog);
    expect((await get(server, '/v1/models/facets')).status).toBe(200);

    const page = await get(
      server,
      '/v1/models?task=text-generation&facets=false',
    );
    expect(page.status).toBe(200);
    expect(page.body.totalItems).toBe(7);
    expect(queries).toHaveLength(1);
    expect(queries[0]).toMatchObject({ totalItems: 'exclude' });
  });

  it('still counts in the catalog for another caller, a case-variant value and a lifecycle', async () => {
    const { catalog, queries } = fakeCatalog();
    const server = await app(catalog);
    expect((await get(server, '/v1/models/facets')).status).toBe(200);

    // Bob was never shown Alice's counts (what each may see differs).
    const bob = await get(
      server,
      '/v1/models?task=text-generation&facets=false',
      BOB,
    );
    // The catalog matches case-insensitively: 2 + 1 models, not 2.
    const variant = await get(
      server,
      '/v1/models?task=Text-Classification&facets=false',
    );
    // Choosing a lifecycle shows archived models the counts left out.
    const lifecycle = await get(
      server,
      '/v1/models?lifecycle=production&facets=false',
    );
    for (const res of [bob, variant, lifecycle]) {
      expect(res.status).toBe(200);
      expect(res.body.totalItems).toBe(99);
    }
    expect(queries.map(q => q.totalItems)).toEqual([
      'include',
      'include',
      'include',
    ]);
  });

  it("counts a facet click's chosen facet from the counts the caller was shown", async () => {
    const { catalog, facetQueries } = fakeCatalog();
    const server = await app(catalog);
    const before = await get(server, '/v1/models/facets');
    expect(facetQueries).toHaveLength(1);

    const after = await get(server, '/v1/models/facets?task=text-generation');
    expect(after.status).toBe(200);
    // Only the facets nobody chose are asked for again, under the filter.
    expect(facetQueries).toHaveLength(2);
    expect(facetQueries[1]).not.toContain('spec.task');
    expect(after.body.facets.task).toEqual(before.body.facets.task);

    // Not for lifecycle (its choice shows archived models), nor for
    // another caller.
    await get(server, '/v1/models/facets?lifecycle=production');
    expect(facetQueries.slice(2)).toContainEqual(['spec.lifecycle']);
    const bob = facetQueries.length;
    await get(server, '/v1/models/facets?task=text-generation', BOB);
    expect(facetQueries.slice(bob)).toContainEqual(['spec.task']);
  });
});

describe('GET /v1/models, the same search at once', () => {
  const get = (server: express.Express, path: string) =>
    request(server)
      .get(path)
      .set('Authorization', mockCredentials.user.header(ALICE));
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) {
      await new Promise(r => setTimeout(r, 5));
    }
    expect(check()).toBe(true);
  };

  it("counts once: a concurrent search of the same filter waits for the first page's count", async () => {
    let open!: () => void;
    const gate = new Promise<void>(r => {
      open = r;
    });
    const { catalog, queries } = fakeCatalog({ gate });
    const server = await app(catalog);
    const path = '/v1/models?task=text-generation&facets=false';

    const first = get(server, path).then(r => r);
    await until(() => queries.length === 1);
    const second = get(server, path).then(r => r);
    await until(() => queries.length === 2);
    open();

    for (const res of await Promise.all([first, second])) {
      expect(res.status).toBe(200);
      expect(res.body.totalItems).toBe(99);
    }
    expect(queries.map(q => q.totalItems)).toEqual(['include', 'exclude']);
  });

  it('counts on its own when the page it waited for fails', async () => {
    let open!: () => void;
    const gate = new Promise<void>(r => {
      open = r;
    });
    const { catalog, queries } = fakeCatalog({ gate, failQuery: 0 });
    const server = await app(catalog);
    const path = '/v1/models?task=text-generation&facets=false';

    const first = get(server, path).then(r => r);
    await until(() => queries.length === 1);
    const second = get(server, path).then(r => r);
    await until(() => queries.length === 2);
    open();

    expect((await first).status).toBe(500);
    const res = await second;
    expect(res.status).toBe(200);
    expect(res.body.totalItems).toBe(99);
    // The waiting search's own page, then its count query.
    expect(queries.slice(1).map(q => q.totalItems)).toEqual([
      'exclude',
      undefined,
    ]);
  });
});

describe('GET /v1/models, a total in steady use', () => {
  it('is counted again in the background past half its time, so no search waits for it to expire', async () => {
    let now = 1_000_000;
    const { catalog, queries } = fakeCatalog();
    const server = await app(catalog, () => now);
    const search = async () => {
      const res = await request(server)
        .get('/v1/models?task=text-generation&facets=false')
        .set('Authorization', mockCredentials.user.header(ALICE));
      expect(res.status).toBe(200);
      expect(res.body.totalItems).toBe(99);
    };
    await search();
    expect(queries.map(q => q.totalItems)).toEqual(['include']);

    // Past half of the 10 s: answered from the cache, recounted meanwhile.
    now += 6_000;
    await search();
    await new Promise(r => setImmediate(r));
    // The page without a count, and the count query (limit 1, counting).
    const asked = queries.slice(1).map(q => `${q.limit} ${q.totalItems}`);
    expect(asked.sort()).toEqual(['1 undefined', '25 exclude']);

    // The first total has expired now (10 s); the recount's has not.
    now += 4_000;
    await search();
    expect(queries.slice(3).map(q => q.totalItems)).toEqual(['exclude']);
  });
});
