import {
  AuthService,
  DatabaseService,
  HttpAuthService,
  LoggerService,
  SchedulerService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { readServicePrincipalGrants } from '../tokens/servicePrincipals';
import { declaredConsumers, ownerOf } from './catalogUsage';
import { readUsageConfig } from './config';
import { firstConsumerNotification } from './notifier';
import { PullRecorder } from './PullRecorder';
import { createUsageRouter, UsageRouterOptions } from './router';
import { FirstConsumer } from './PullWrites';
import { UsageStore } from './UsageStore';

/** Id of the scheduled deletion of raw pull events past the retention. */
export const USAGE_RETENTION_TASK_ID = 'model-hub-usage-retention';
/** Id of the scheduled read of declared consumers (for first-consumer notifications). */
export const USAGE_CONSUMERS_TASK_ID = 'model-hub-usage-declared-consumers';

/**
 * Wires usage recording (issue #21): the store, the recorder the download
 * routes report to, the usage routes, and two scheduled tasks (one replica
 * each): raw-event retention and the read of declared consumers.
 */
export async function setupUsage(options: {
  config: Config;
  database: DatabaseService;
  scheduler: SchedulerService;
  logger: LoggerService;
  httpAuth: HttpAuthService;
  auth: AuthService;
  userInfo: UserInfoService;
  catalog: CatalogService;
  notifications: NotificationService;
  /** The duplicate-effort report's source (the similar-models index). */
  overlaps: UsageRouterOptions['overlaps'];
  /** The model lookup of the read routes (default: the catalog, live). */
  modelLookup?: UsageRouterOptions['modelLookup'];
  clock?: () => Date;
}) {
  const { scheduler, logger, catalog, auth, notifications } = options;
  const config = readUsageConfig(options.config);
  const now = options.clock ?? (() => new Date());
  const store = await UsageStore.create({ database: options.database });

  const notify = async (firsts: FirstConsumer[]) => {
    if (!config.notifyFirstConsumers) return;
    for (const first of firsts) {
      if (!first.owner) continue;
      try {
        await notifications.send(firstConsumerNotification(first));
      } catch (error) {
        logger.warn(
          `Could not notify ${first.owner} that ${first.team} uses ${first.entityRef}: ${error}`,
        );
      }
    }
  };

  const recorder = new PullRecorder({
    store,
    catalog,
    auth,
    logger,
    grants: readServicePrincipalGrants(options.config),
    pullWindowMinutes: config.pullWindowMinutes,
    onFirstConsumers: notify,
    clock: now,
  });

  const deleteExpired = async () => {
    const before = new Date(
      now().getTime() - config.retentionDays * 86_400_000,
    );
    const deleted = await store.deleteRawBefore(before);
    if (deleted > 0) {
      logger.info(
        `Deleted ${deleted} raw pull events before ${before.toISOString()} (rollups kept)`,
      );
    }
    return deleted;
  };

  const syncDeclaredConsumers = async () => {
    const credentials = await auth.getOwnServiceCredentials();
    const byModel = await declaredConsumers(catalog, credentials);
    const refs = [...byModel.keys()];
    if (refs.length === 0) return [];
    const { items } = await catalog.getEntitiesByRefs(
      {
        entityRefs: refs,
        fields: ['kind', 'metadata', 'relations', 'spec.owner'],
      },
      { credentials },
    );
    const pairs = refs.flatMap((ref, i) => {
      const model = items[i];
      const owner = model ? ownerOf(model) ?? '' : '';
      return (byModel.get(ref) ?? []).map(c => ({
        entityRef: ref,
        team: c.owner ?? '',
        owner,
      }));
    });
    const firsts = await store.recordDeclaredConsumers(pairs, now());
    await notify(firsts);
    return firsts;
  };

  await scheduler.scheduleTask({
    id: USAGE_RETENTION_TASK_ID,
    frequency: { hours: 6 },
    timeout: { minutes: 30 },
    initialDelay: { minutes: 2 },
    scope: 'global',
    fn: async () => {
      await deleteExpired();
    },
  });
  await scheduler.scheduleTask({
    id: USAGE_CONSUMERS_TASK_ID,
    frequency: { minutes: config.consumerSyncMinutes },
    timeout: { minutes: 10 },
    initialDelay: { minutes: 1 },
    scope: 'global',
    fn: async () => {
      await syncDeclaredConsumers();
    },
  });

  const router = await createUsageRouter({
    store,
    httpAuth: options.httpAuth,
    auth,
    catalog,
    userInfo: options.userInfo,
    overlaps: options.overlaps,
    modelLookup: options.modelLookup,
    clock: now,
  });
  return { store, recorder, router, deleteExpired, syncDeclaredConsumers };
}
