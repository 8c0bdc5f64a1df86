import { CompoundEntityRef } from '@backstage/catalog-model';
import { SimilarModelMatch } from '../entity/similarity';
import { modelRefPath } from './paths';

/** The answer of the similar-models routes: best match first. */
export interface SimilarModelsResponse {
  items: SimilarModelMatch[];
}

/** What a similar-models query may name (any of them; name or title gives words). */
export interface SimilarModelsRequest {
  name?: string;
  title?: string;
  tags?: string[];
  task?: string;
  /** At most this many matches (1..50, default 5). */
  limit?: number;
}

/** Paths of the similar-models routes, relative to the plugin's base URL. */
export const modelHubSimilarPaths = {
  /** Models like a model being registered. */
  query(request: SimilarModelsRequest): string {
    const params = new URLSearchParams();
    if (request.name) params.set('name', request.name);
    if (request.title) params.set('title', request.title);
    for (const tag of request.tags ?? []) params.append('tags', tag);
    if (request.task) params.set('task', request.task);
    if (request.limit) params.set('limit', String(request.limit));
    return `/v1/similar-models?${params}`;
  },
  /** Models like an existing model (itself left out). */
  model(ref: CompoundEntityRef | string, limit?: number): string {
    return `/v1/models/${modelRefPath(ref)}/similar${
      limit ? `?limit=${limit}` : ''
    }`;
  },
};
