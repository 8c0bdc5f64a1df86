import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Request } from 'express';
import { PrincipalCache } from './PrincipalCache';

/** How a route looks its model up in the catalog, as the caller. */
export type ModelLookup = (
  req: Request,
  entityRef: string,
  credentials: BackstageCredentials,
) => Promise<Entity | undefined>;

/** The catalog call a model lookup makes. */
export type LookupCatalog = Pick<CatalogService, 'getEntityByRef'>;

/** Every lookup asks the catalog (tests, and a cache TTL of 0). */
export function liveModelLookup(catalog: LookupCatalog): ModelLookup {
  return (_req, entityRef, credentials) =>
    catalog.getEntityByRef(entityRef, { credentials });
}

/**
 * Model lookups that read routes (GET and HEAD) answer from a short-lived,
 * bounded cache per (caller, entity ref); every other method asks the
 * catalog live, so a mutation always sees the current entity and what the
 * catalog's permission policy lets the caller see right now.
 *
 * The read routes (versions, gauntlet, waivers, usage, stewardship
 * overrides, …) look their model up on every request: a catalog call over
 * HTTP that itself asks the permission backend, several times the cost of
 * the route's own database read (the plugin passes the hub's cheaper
 * catalog access, see `hubCatalog.ts`, for the misses). Keys
 * hold the caller's principal, so one caller is never answered from
 * another's entry; only found entities are kept, failures never.
 *
 * Staleness bound: for a read route, a model's entity, and whether the
 * caller may see it, is at most `ttlMs` older than the catalog. An entry
 * read in the last fifth of its life is looked up again in the
 * background (its readers do not wait), so a model read often never
 * expires under them.
 */
export function cachedModelLookup(
  catalog: LookupCatalog,
  options: { ttlMs: number; maxEntries?: number; now?: () => number },
): ModelLookup {
  const live = liveModelLookup(catalog);
  if (options.ttlMs <= 0) return live;
  const cache = new PrincipalCache<Entity | undefined>({
    ttlMs: options.ttlMs,
    maxEntries: options.maxEntries ?? 5000,
    now: options.now,
    // A model read often is looked up again in the background before its
    // entry expires: at 50 clients, an expiry made every read route of
    // that model wait for one catalog call through the loaded back end
    // (the hub's p95 on the model page went from 2.2 s to 5.8 s with the
    // 5 s cache against 3,600 s; pageTail.js). Staleness stays ≤ ttlMs.
    refreshAfterMs: options.ttlMs * 0.8,
  });
  return (req, entityRef, credentials) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return live(req, entityRef, credentials);
    }
    return cache.get(
      credentials,
      entityRef.toLocaleLowerCase('en-US'),
      () => live(req, entityRef, credentials),
      entity => entity !== undefined,
    );
  };
}

/**
 * Default of `modelHub.catalogLookup.cacheSeconds`. At 5 s, a model read
 * less often than every 5 s paid a catalog call on each read (~3 ms of the
 * back end's CPU), which at 50 clients was the model page's and the
 * versions GET's whole p95 tail; at 30 s the page went from
 * 10.32 to 8.41 ms CPU and 413/923 to 379/427 ms p50/p95, the versions GET
 * from 115/1279 to 106/149 ms (scaleAb.js, 1,000 models, same run).
 */
const DEFAULT_LOOKUP_CACHE_SECONDS = 30;

/** `modelHub.catalogLookup.cacheSeconds` in ms (0 turns it off). */
export function readModelLookupCacheMs(config: Config): number {
  const seconds =
    config.getOptionalNumber('modelHub.catalogLookup.cacheSeconds') ??
    DEFAULT_LOOKUP_CACHE_SECONDS;
  return Math.max(0, seconds) * 1000;
}
