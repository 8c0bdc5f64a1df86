import { InputError } from '@backstage/errors';
import { ModelVersion } from '@internal/plugin-model-hub-common';
import { HfRepo } from './mapping';
import { commitShaOf, mainVersion } from './revisions';
import { modelSummary } from './serializers';

/** The query of `GET /api/models`, as Hugging Face clients send it. */
export interface ListModelsQuery {
  /** Substring of the repo id (case-insensitive). */
  search?: string;
  /** The repo namespace. */
  author?: string;
  /** Tags every listed repo has (task, framework, `license:…`, entity tags). */
  filter: string[];
  pipelineTag?: string;
  sort: 'lastModified' | 'createdAt' | 'id';
  direction: 1 | -1;
  limit: number;
  offset: number;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
// Sorts the hub has no data for (it counts no likes or trends) fall back to recency.
const RECENCY_SORTS = new Set([
  'lastModified',
  'downloads',
  'likes',
  'likes30d',
  'trendingScore',
]);

type Query = Record<string, string | string[] | undefined>;

function all(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).flatMap(v => v.split(','));
}

function one(query: Query, key: string): string | undefined {
  const value = query[key];
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/** Reads the query string of `GET /api/models`. */
export function parseListQuery(query: Query): ListModelsQuery {
  const sortParam = one(query, 'sort') ?? 'lastModified';
  let sort: ListModelsQuery['sort'];
  if (sortParam === 'id' || sortParam === 'createdAt') sort = sortParam;
  else if (RECENCY_SORTS.has(sortParam)) sort = 'lastModified';
  else {
    throw new InputError(
      `Unsupported sort '${sortParam}'; use lastModified, createdAt or id`,
    );
  }
  const directionParam = one(query, 'direction');
  let direction: 1 | -1 = sort === 'id' ? 1 : -1;
  if (directionParam !== undefined)
    direction = directionParam === '-1' ? -1 : 1;
  const limitParam = one(query, 'limit');
  const limit = limitParam === undefined ? DEFAULT_LIMIT : Number(limitParam);
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InputError(`Invalid limit '${limitParam}'; expected 1 or more`);
  }
  return {
    search: one(query, 'search')?.toLocaleLowerCase('en-US') || undefined,
    author: one(query, 'author')?.toLocaleLowerCase('en-US') || undefined,
    filter: all(query.filter).map(t => t.toLocaleLowerCase('en-US')),
    pipelineTag: one(query, 'pipeline_tag') || undefined,
    sort,
    direction,
    limit: Math.min(limit, MAX_LIMIT),
    offset: decodeCursor(one(query, 'cursor')),
  };
}

/** An opaque page cursor (the offset into the sorted result). */
export function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  try {
    const { o } = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Number.isSafeInteger(o) && o >= 0) return o;
  } catch {
    // fall through
  }
  throw new InputError('Invalid cursor; start again without one');
}

/**
 * One page of repo summaries: repos with a sealed version that match the
 * query, sorted, from `offset`; `next` is the offset of the next page.
 */
export function listModelsPage(
  repos: ReadonlyArray<{ repo: HfRepo; versions: readonly ModelVersion[] }>,
  query: ListModelsQuery,
): { items: Record<string, unknown>[]; next?: number } {
  const rows = repos.flatMap(({ repo, versions }) => {
    const sealed = versions.filter(v => v.state === 'sealed');
    const main = mainVersion(sealed);
    if (!main) return [];
    const createdAt = sealed
      .map(v => v.createdAt)
      .reduce((a, b) => (a < b ? a : b));
    const summary = modelSummary(
      repo,
      { version: main, sha: commitShaOf(main) },
      createdAt,
    );
    return [{ repo, summary, tags: summary.tags as string[] }];
  });
  const matching = rows.filter(({ repo, tags }) => {
    const lowerTags = tags.map(t => t.toLocaleLowerCase('en-US'));
    if (
      query.search &&
      !repo.id.toLocaleLowerCase('en-US').includes(query.search)
    ) {
      return false;
    }
    if (
      query.author &&
      repo.namespace.toLocaleLowerCase('en-US') !== query.author
    ) {
      return false;
    }
    if (query.pipelineTag && repo.entity.spec.task !== query.pipelineTag) {
      return false;
    }
    return query.filter.every(f => lowerTags.includes(f));
  });
  const key = (row: (typeof rows)[number]) =>
    String(query.sort === 'id' ? row.repo.id : row.summary[query.sort]);
  matching.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    let order = 0;
    if (ka !== kb) order = ka < kb ? -1 : 1;
    return order * query.direction || a.repo.id.localeCompare(b.repo.id);
  });
  const end = query.offset + query.limit;
  return {
    items: matching.slice(query.offset, end).map(r => r.summary),
    next: end < matching.length ? end : undefined,
  };
}
