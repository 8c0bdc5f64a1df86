import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { MODEL_HUB_ANNOTATIONS } from '@internal/plugin-model-hub-common';

/** Options of {@link followCatalog}. */
export interface FollowCatalogOptions {
  catalog: Pick<CatalogService, 'getEntityByRef'>;
  auth: Pick<AuthService, 'getOwnServiceCredentials'>;
  logger: LoggerService;
  entityRef: string;
  /** True once the catalog's entity reflects the change. */
  shows: (entity: Entity | undefined) => boolean;
  /** Called once the catalog shows the change, or when waiting gave up. */
  then: () => Promise<void>;
  /** How long to wait for the catalog (default 60 s). */
  timeoutMs?: number;
  /** How often to look (default 1 s). */
  intervalMs?: number;
  /**
   * Asks the catalog to reprocess again while waiting (every `nudgeMs`):
   * the catalog module reads deprecations from a snapshot refreshed every
   * few seconds, so the first reprocessing may still see the old state.
   */
  nudge?: () => Promise<void>;
  /** How often to nudge (default 3 s). */
  nudgeMs?: number;
}

/**
 * Waits until the catalog shows a lifecycle change the hub just recorded
 * (the catalog applies it on its next processing of the model), then runs
 * `then`, e.g. a stewardship evaluation, so that consumers' migration tasks
 * are computed from the deprecated entity and not from the stale one. Gives
 * up after the timeout and runs `then` anyway: the scheduled evaluations
 * catch up later. Never throws.
 */
export async function followCatalog(
  options: FollowCatalogOptions,
): Promise<boolean> {
  const { catalog, auth, logger, entityRef, shows } = options;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 1000;
  const deadline = Date.now() + timeoutMs;
  const nudgeMs = options.nudgeMs ?? 3000;
  let nextNudge = Date.now() + nudgeMs;
  let shown = false;
  try {
    const credentials = await auth.getOwnServiceCredentials();
    for (;;) {
      if (shows(await catalog.getEntityByRef(entityRef, { credentials }))) {
        shown = true;
        break;
      }
      if (Date.now() >= deadline) break;
      if (options.nudge && Date.now() >= nextNudge) {
        nextNudge = Date.now() + nudgeMs;
        await options.nudge();
      }
      await new Promise(r =>
        setTimeout(r, Math.min(intervalMs, deadline - Date.now())),
      );
    }
    if (!shown) {
      logger.warn(
        `The catalog did not show the lifecycle change of ${entityRef} within ${Math.round(
          timeoutMs / 1000,
        )} s`,
      );
    }
  } catch (error) {
    logger.warn(
      `Could not follow the lifecycle change of ${entityRef} in the catalog: ${error}`,
    );
  }
  try {
    await options.then();
  } catch (error) {
    logger.warn(
      `Reacting to the lifecycle change of ${entityRef} failed: ${error}`,
    );
  }
  return shown;
}

/** True when the catalog's entity carries the hub's deprecation of `deprecatedAt`. */
export function showsDeprecation(deprecatedAt: string) {
  return (entity: Entity | undefined) =>
    entity?.metadata.annotations?.[MODEL_HUB_ANNOTATIONS.deprecatedAt] ===
    deprecatedAt;
}

/** True when the catalog's entity no longer carries a hub deprecation. */
export function showsNoDeprecation(entity: Entity | undefined) {
  return (
    entity !== undefined &&
    entity.metadata.annotations?.[MODEL_HUB_ANNOTATIONS.deprecatedAt] ===
      undefined
  );
}
