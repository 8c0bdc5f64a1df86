import http from 'node:http';
import { mockServices } from '@backstage/backend-test-utils';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import express from 'express';

/**
 * Serves a test backend behind the production compression middleware (the
 * test backend's own root router has none), so a test sees responses as a
 * real portal sends them. Resolves with the listening front server.
 */
export async function compressingFront(
  backend: http.Server,
): Promise<http.Server> {
  const [handler] = backend.listeners('request') as Array<
    (req: http.IncomingMessage, res: http.ServerResponse) => void
  >;
  const middleware = MiddlewareFactory.create({
    config: mockServices.rootConfig(),
    logger: mockServices.logger.mock(),
  });
  const app = express();
  app.use(middleware.compression());
  app.use((req, res) => handler(req, res));
  const server = http.createServer(app);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return server;
}
