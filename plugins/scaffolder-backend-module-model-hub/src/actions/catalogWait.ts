import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

/**
 * Looks the entity up in the catalog as the user until it is there or
 * `timeoutMs` has passed; resolves to it, or `undefined` when it never
 * showed. A model registered with the hub reaches the catalog through the
 * hub's entity provider a few seconds later, hence the wait.
 */
export async function waitForCatalogEntity(
  catalog: Pick<CatalogService, 'getEntityByRef'>,
  entityRef: string,
  credentials: BackstageCredentials,
  options: { timeoutMs: number; pollMs: number },
): Promise<Entity | undefined> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    if (entity) return entity;
    if (Date.now() >= deadline) return undefined;
    await sleep(Math.min(options.pollMs, deadline - Date.now()));
  }
}
