import http from 'node:http';
import { AddressInfo } from 'node:net';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ModelHubClient, ModelHubResponseError } from './ModelHubClient';

const call = { credentials: mockCredentials.user('user:default/alice') };

/** A client of a hub that answers every request with `handler`. */
async function withServer(
  handler: http.RequestListener,
  fn: (client: ModelHubClient, seen: http.IncomingMessage[]) => Promise<void>,
) {
  const seen: http.IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req);
    handler(req, res);
  });
  await new Promise<void>(resolve => server.listen(0, resolve));
  const { port } = server.address() as AddressInfo;
  const client = new ModelHubClient({
    discovery: mockServices.discovery.mock({
      getBaseUrl: async () => `http://localhost:${port}/api/model-hub`,
    }),
    auth: mockServices.auth(),
  });
  try {
    await fn(client, seen);
  } finally {
    server.close();
  }
}

describe('ModelHubClient', () => {
  it('calls the hub with a token on behalf of the user, for the model-hub plugin', async () => {
    await withServer(
      (_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ id: 7, state: 'pending' }));
      },
      async (client, seen) => {
        await client.requestPromotion(
          'model:default/x',
          { tier: 'official' },
          call,
        );
        expect(seen[0].url).toBe(
          '/api/model-hub/v1/models/default/x/promotion-requests',
        );
        const token = seen[0].headers.authorization!.replace(/^Bearer /, '');
        expect(JSON.parse(token.replace(/^mock-service-token:/, ''))).toEqual(
          expect.objectContaining({
            obo: 'user:default/alice',
            target: 'model-hub',
          }),
        );
      },
    );
  });

  it('keeps the text of an error that is not Backstage error JSON, with its status', async () => {
    await withServer(
      (_req, res) => {
        res.statusCode = 502;
        res.end('upstream proxy error');
      },
      async client => {
        const error = await client
          .getGauntlet('model:default/x', call)
          .catch(e => e);
        expect(error).toBeInstanceOf(ModelHubResponseError);
        expect(error.statusCode).toBe(502);
        expect(error.message).toBe(
          'Could not read the gauntlet of model:default/x: upstream proxy error',
        );
      },
    );
  });

  it.each([
    [400, 'InputError'],
    [403, 'NotAllowedError'],
    [404, 'NotFoundError'],
    [409, 'ConflictError'],
  ])('turns a %s into %s with the hub message', async (status, name) => {
    await withServer(
      (_req, res) => {
        res.statusCode = status;
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            error: { name: 'Whatever', message: 'the hub says no' },
          }),
        );
      },
      async client => {
        const error = await client
          .deprecateModel('model:default/x', { reason: 'old' }, call)
          .catch(e => e);
        expect(error.name).toBe(name);
        expect(error.message).toBe(
          'Could not deprecate model:default/x: the hub says no',
        );
      },
    );
  });

  it('says so when the hub does not answer', async () => {
    const server = http.createServer();
    await new Promise<void>(resolve => server.listen(0, resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise(resolve => server.close(resolve));
    const client = new ModelHubClient({
      discovery: mockServices.discovery.mock({
        getBaseUrl: async () => `http://localhost:${port}/api/model-hub`,
      }),
      auth: mockServices.auth(),
    });
    await expect(
      client.getVersion('model:default/x', '1.0.0', call),
    ).rejects.toThrow(
      `Could not read version 1.0.0 of model:default/x: the Model Hub at http://localhost:${port}/api/model-hub did not answer`,
    );
  });
});
