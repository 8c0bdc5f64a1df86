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
 * &sort=&archived=&limit=&cursor=&facets=`: a page of the models the caller
 * may see, with facet counts on the first page (unless `facets=false`) and
 * each model's current tier; `GET /v1/models/facets` gives the counts alone.
 */
export async function createModelSearchRouter(
  options: ModelSearchRouterOptions,
): Promise<express.Router> {
  const router = Router();
  const answer =
    (what: 'facets' | 'search') =>
    async (req: express.Request, res: express.Response) => {
      const credentials = await options.httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const query = req.query as Record<string, unknown>;
      res.json(await options.search[what](query, credentials));
    };
  // The facet counts of a search's filter, apart from its page: the hub
  // page asks for them next to `facets=false` pages, so a facet click
  // updates the table as soon as its page is ready.
  router.get('/v1/models/facets', answer('facets'));
  router.get('/v1/models', answer('search'));
  return router;
}
