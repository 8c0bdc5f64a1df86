import { HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import { ModelSearch } from './ModelSearch';

/** Dependencies of {@link createModelSearchRouter}. */
export interface ModelSearchRouterOptions {
  httpAuth: HttpAuthService;
  search: ModelSearch;
}

/**
 * `GET /v1/models?q=&task=&framework=&tier=&license=&owner=&lifecycle=
 * &sort=&archived=&limit=&cursor=`: a page of the models the caller may
 * see, with facet counts on the first page and each model's current tier.
 */
export async function createModelSearchRouter(
  options: ModelSearchRouterOptions,
): Promise<express.Router> {
  const router = Router();
  router.get('/v1/models', async (req, res) => {
    const credentials = await options.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    res.json(
      await options.search.search(
        req.query as Record<string, unknown>,
        credentials,
      ),
    );
  });
  return router;
}
