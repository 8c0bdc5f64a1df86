import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { SimilarModelsResponse } from '@internal/plugin-model-hub-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { modelRefParam, parseQuery } from '../service/requests';
import { SimilarModels } from './SimilarModels';

/** Dependencies of {@link createSimilarModelsRouter}. */
export interface SimilarModelsRouterOptions {
  httpAuth: HttpAuthService;
  similar: SimilarModels;
}

const text = z.string().trim().max(500).optional();
const limit = z.coerce.number().int().min(1).max(50).default(5);
const similarQuery = z.object({
  name: text,
  title: text,
  tags: z
    .union([z.string().max(200), z.array(z.string().max(200)).max(50)])
    .optional()
    .transform(t => (t === undefined ? [] : [t].flat())),
  task: text,
  description: z.string().max(5000).optional(),
  framework: text,
  baseModel: text,
  limit,
});
const HINT =
  'name, title, tags (repeatable), task, description, framework, baseModel, limit=1..50';

/**
 * `GET /v1/similar-models?name=&title=&tags=&task=&limit=`: models like one
 * being registered; `GET /v1/models/:namespace/:name/similar?limit=`:
 * models like an existing one. Both list only models the caller may read.
 */
export async function createSimilarModelsRouter(
  options: SimilarModelsRouterOptions,
): Promise<express.Router> {
  const { httpAuth, similar } = options;
  const router = Router();

  router.get('/v1/similar-models', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { limit: max, ...query } = parseQuery(similarQuery, req.query, HINT);
    if (!query.name && !query.title && query.tags.length === 0) {
      throw new InputError(
        'Give a name, title or tags of the model to compare (e.g. ?name=review-sentiment)',
      );
    }
    const body: SimilarModelsResponse = {
      items: await similar.similarTo(query, credentials, { limit: max }),
    };
    res.json(body);
  });

  router.get('/v1/models/:namespace/:name/similar', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { limit: max } = parseQuery(
      z.object({ limit }),
      req.query,
      'limit=1..50',
    );
    const body: SimilarModelsResponse = {
      items: await similar.similarToModel(modelRefParam(req), credentials, {
        limit: max,
      }),
    };
    res.json(body);
  });

  return router;
}
