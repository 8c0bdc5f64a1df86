/*
 * The read routes' model lookup cache through the real routes: repeated
 * versions, gauntlet, usage and stewardship overrides GETs of one caller ask the catalog once per TTL;
 * another caller is never answered from the first one's entry (a model
 * hidden from them stays a 404); a caller who loses sight of a model loses
 * it on the read routes once the TTL has passed, and at once on mutations,
 * which always ask the catalog; failures are not kept; 0 turns it off.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import request from 'supertest';
import { ConfigReader } from '@backstage/config';
import { startModelHubTestBackend } from '../__testUtils__/modelHubBackend';
import { readModelLookupCacheMs } from './cachedEntityLookup';

jest.setTimeout(60_000);

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';
const MODEL: Entity = {
  apiVersion: 'modelhub.io/v1alpha1',
  kind: 'Model',
  metadata: { name: 'churn', namespace: 'default' },
  spec: {
    owner: 'group:default/ml-team',
    type: 'classifier',
    lifecycle: 'production',
  },
};

const OVERRIDES =
  '/api/model-hub/v1/stewardship/models/default/churn/overrides';

/** Who may see the model, each lookup made, and whether lookups fail. */
interface CatalogState {
  calls: string[];
  fail: boolean;
  hidden: Set<string>;
}

/** Records model lookups; hides the model from `hidden` callers. */
function countingCatalog(state: CatalogState) {
  return (catalog: CatalogService): CatalogService =>
    new Proxy(catalog, {
      get(target, prop) {
        if (prop === 'getEntityByRef') {
          return async (ref: any, opts: any) => {
            const who = opts.credentials.principal.userEntityRef;
            state.calls.push(`${who} ${ref}`);
            if (state.fail) throw new Error('catalog down');
            if (state.hidden.has(who)) return undefined;
            return target.getEntityByRef(ref, opts);
          };
        }
        const v = (target as any)[prop];
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
}

async function start(cacheSeconds?: number) {
  const state: CatalogState = {
    calls: [],
    fail: false,
    hidden: new Set([BOB]),
  };
  const backend = await startModelHubTestBackend({
    entities: [MODEL],
    groups: { [ALICE]: ['group:default/ml-team'] },
    wrapCatalog: countingCatalog(state),
    modelHub:
      cacheSeconds === undefined ? {} : { catalogLookup: { cacheSeconds } },
  });
  const auth = (user: string) => mockCredentials.user.header(user);
  const path = (p: string) => `/api/model-hub/v1/models/default/churn${p}`;
  const get = (p: string, user = ALICE) =>
    request(backend.server)
      .get(p.startsWith('/api/') ? p : path(p))
      .set('Authorization', auth(user));
  const post = (p: string, body: object, user = ALICE) =>
    request(backend.server)
      .post(path(p))
      .set('Authorization', auth(user))
      .send(body);
  const lookups = (user: string) =>
    state.calls.filter(c => c.startsWith(`${user} `)).length;
  return { backend, state, get, post, lookups };
}

describe('model lookup cache of the read routes', () => {
  it('keeps a lookup 30 s unless configured (0 turns it off)', () => {
    expect(readModelLookupCacheMs(new ConfigReader({}))).toBe(30_000);
    const configured = (cacheSeconds: number) =>
      readModelLookupCacheMs(
        new ConfigReader({ modelHub: { catalogLookup: { cacheSeconds } } }),
      );
    expect(configured(5)).toBe(5_000);
    expect(configured(0)).toBe(0);
    expect(configured(-1)).toBe(0);
  });

  it('asks the catalog once per caller and TTL, never across callers', async () => {
    const { backend, get, lookups } = await start();
    try {
      for (let i = 0; i < 3; i++) {
        expect((await get('/versions')).status).toBe(200);
        expect((await get('/gauntlet')).status).toBe(200);
        expect((await get('/waivers')).status).toBe(200);
        // The model page's usage and stewardship overrides reads too.
        expect((await get('/usage')).status).toBe(200);
        expect((await get(OVERRIDES)).status).toBe(200);
      }
      expect(lookups(ALICE)).toBe(1);

      // Bob may not see it: Alice's entry never answers for him, and his
      // miss is not kept (each request asks again).
      expect((await get('/versions', BOB)).status).toBe(404);
      expect((await get('/gauntlet', BOB)).status).toBe(404);
      expect((await get('/usage', BOB)).status).toBe(404);
      expect((await get(OVERRIDES, BOB)).status).toBe(404);
      expect(lookups(BOB)).toBe(4);
    } finally {
      await backend.stop();
    }
  });

  it('sees a lost permission on reads after the TTL, on mutations at once', async () => {
    const { backend, state, get, post, lookups } = await start(0.5);
    try {
      expect((await get('/versions')).status).toBe(200);
      state.hidden.add(ALICE);
      // Within the TTL a read may still answer from the cache (the
      // documented staleness bound)…
      expect((await get('/versions')).status).toBe(200);
      expect(lookups(ALICE)).toBe(1);
      // …but a mutation asks the catalog, as the caller, every time.
      const created = await post('/versions', { version: '1.0.0' });
      expect(created.status).toBe(404);
      expect(lookups(ALICE)).toBe(2);
      await new Promise(r => setTimeout(r, 600));
      expect((await get('/versions')).status).toBe(404);
      expect((await get('/gauntlet')).status).toBe(404);

      // Seeing it again takes effect at once (misses are not kept), and a
      // mutation by its owner goes through.
      state.hidden.delete(ALICE);
      expect((await get('/versions')).status).toBe(200);
      expect((await post('/versions', { version: '1.0.0' })).status).toBe(201);
    } finally {
      await backend.stop();
    }
  });

  it('asks through the hub’s own catalog access (the plugin service), not the catalog service', async () => {
    const viaHub: string[] = [];
    const viaService: string[] = [];
    const backend = await startModelHubTestBackend({
      entities: [MODEL],
      groups: { [ALICE]: ['group:default/ml-team'] },
      wrapCatalog: catalog =>
        new Proxy(catalog, {
          get(target, prop) {
            const v = (target as any)[prop];
            if (prop !== 'getEntityByRef') {
              return typeof v === 'function' ? v.bind(target) : v;
            }
            return (ref: string, opts: any) => {
              viaService.push(ref);
              return v.call(target, ref, opts);
            };
          },
        }),
      hubCatalog: catalog => ({
        getEntityByRef: (ref, opts) => {
          viaHub.push(String(ref));
          return catalog.getEntityByRef(ref, opts);
        },
        queryEntities: (req, opts) => catalog.queryEntities(req, opts),
        getEntityFacets: (req, opts) => catalog.getEntityFacets(req, opts),
      }),
    });
    try {
      const get = (p: string) =>
        request(backend.server)
          .get(
            p.startsWith('/api/')
              ? p
              : `/api/model-hub/v1/models/default/churn${p}`,
          )
          .set('Authorization', mockCredentials.user.header(ALICE));
      for (const p of ['/versions', '/gauntlet', '/usage', OVERRIDES]) {
        expect((await get(p)).status).toBe(200);
      }
      expect(viaHub).toEqual(['model:default/churn']);
      // The stub forwards to the catalog service: nothing else asked it.
      expect(viaService).toEqual(viaHub);
    } finally {
      await backend.stop();
    }
  });

  it('does not keep failures, and is off with cacheSeconds 0', async () => {
    /** A failed lookup, then two good ones: how often the catalog was asked. */
    const failThenRead = async (cacheSeconds: number) => {
      const t = await start(cacheSeconds);
      try {
        t.state.fail = true;
        expect((await t.get('/versions')).status).toBe(500);
        t.state.fail = false;
        expect((await t.get('/versions')).status).toBe(200);
        expect((await t.get('/versions')).status).toBe(200);
        return t.lookups(ALICE);
      } finally {
        await t.backend.stop();
      }
    };
    expect(await failThenRead(0)).toBe(3);
    expect(await failThenRead(60)).toBe(2);
  });
});
