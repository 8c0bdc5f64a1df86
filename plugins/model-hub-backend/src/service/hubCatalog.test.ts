import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { createHubCatalog } from './hubCatalog';

/** A stand-in catalog over real HTTP that records what each request carried. */
async function recordingCatalog() {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    res.setHeader('content-type', 'application/json');
    if (req.url!.startsWith('/entities/by-name/model/default/')) {
      const name = req.url!.split('/').pop();
      if (name === 'hidden') {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: { name: 'NotFoundError' } }));
      } else {
        res.end(JSON.stringify({ kind: 'Model', metadata: { name } }));
      }
      return;
    }
    res.end(
      req.url!.startsWith('/entity-facets')
        ? JSON.stringify({ facets: {} })
        : JSON.stringify({ items: [], totalItems: 0, pageInfo: {} }),
    );
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { seen, url, close: () => server.close() };
}

describe('createHubCatalog', () => {
  it('asks the catalog for an uncompressed answer with the caller’s reused plugin token', async () => {
    const catalog = await recordingCatalog();
    const issued: string[] = [];
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const hub = createHubCatalog({
      discovery: {
        getBaseUrl: async () => catalog.url,
        getExternalBaseUrl: async () => catalog.url,
      },
      auth: {
        async getPluginRequestToken({
          onBehalfOf,
        }: {
          onBehalfOf: BackstageCredentials;
        }) {
          const obo = (onBehalfOf as { token?: string }).token;
          const claims = { obo, exp, n: issued.length };
          issued.push(
            `e30.${Buffer.from(JSON.stringify(claims)).toString(
              'base64url',
            )}.s`,
          );
          return { token: issued[issued.length - 1] };
        },
      },
    });
    const user = mockCredentials.user('user:default/mia');
    Object.defineProperty(user, 'token', { value: 'mia-user-token' });
    const credentials = user as BackstageCredentials;
    try {
      await hub.queryEntities(
        { filter: { kind: 'model' }, limit: 1 },
        { credentials },
      );
      await hub.getEntityFacets(
        { filter: { kind: 'model' }, facets: ['spec.task'] },
        { credentials },
      );
      // The read routes' model lookups (on a cache miss): found, or hidden
      // from the caller (404) and so absent.
      expect(
        await hub.getEntityByRef('model:default/churn', { credentials }),
      ).toEqual({ kind: 'Model', metadata: { name: 'churn' } });
      expect(
        await hub.getEntityByRef('model:default/hidden', { credentials }),
      ).toBeUndefined();
      expect(catalog.seen.map(h => h['accept-encoding'])).toEqual(
        Array(4).fill('identity'),
      );
      expect(issued).toHaveLength(1);
      expect(catalog.seen.map(h => h.authorization)).toEqual(
        Array(4).fill(`Bearer ${issued[0]}`),
      );
    } finally {
      catalog.close();
    }
  });
});
