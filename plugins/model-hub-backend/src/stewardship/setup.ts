import {
  AuditorService,
  AuthService,
  DatabaseService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  RootConfigService,
  SchedulerService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { ModelVersion } from '@internal/plugin-model-hub-common';
import express from 'express';
import { readStewardshipEngineConfig } from './config';
import { createNotificationServiceNotifier } from './notifier';
import { createStewardshipRouter } from './router';
import { createStewardshipTrigger, scheduleStewardship } from './schedule';
import { ComplianceSource, createVersionActivitySource } from './sources';
import { StewardshipEngine } from './StewardshipEngine';
import { StewardshipTaskStore } from './StewardshipTaskStore';
import { StewardshipActionStore } from './StewardshipActionStore';
import { readStewardshipActionsConfig } from './actionsConfig';
import { createStewardshipActionsRouter } from './actionsRouter';
import { ModelLookup } from '../service/cachedEntityLookup';

/** What the plugin passes to {@link setupStewardship}. */
export interface StewardshipSetupOptions {
  config: RootConfigService;
  logger: LoggerService;
  database: DatabaseService;
  scheduler: SchedulerService;
  auth: AuthService;
  httpAuth: HttpAuthService;
  catalog: CatalogService;
  /** Backstage notifications; without it no notifications or digests are sent. */
  notifications?: NotificationService;
  /** The hub's versions, for activity (the version store or service). */
  versions: {
    listVersions(entityRef: string): Promise<ModelVersion[]>;
    /** Latest version activity of many models at once (the version store has it). */
    latestActivity?(entityRefs: string[]): Promise<Map<string, Date>>;
  };
  /** Gauntlet results and waivers, when the gauntlet is installed. */
  compliance?: ComplianceSource;
  /**
   * For the task actions (snooze, waive, reassign steward, archive): without
   * them the stewardship routes are read-only.
   */
  actions?: {
    permissions: PermissionsService;
    userInfo: UserInfoService;
    auditor: AuditorService;
  };
  /** The model lookup of the read routes (default: the catalog, live). */
  modelLookup?: ModelLookup;
}

/** The wired stewardship engine, its HTTP routes and its "evaluate soon" trigger. */
export interface StewardshipSetup {
  engine: StewardshipEngine;
  store: StewardshipTaskStore;
  /** Mount with `httpRouter.use(router)`. */
  router: express.Router;
  /** Asks for an evaluation soon, e.g. after a version is sealed; never throws. */
  trigger: (reason: string) => Promise<void>;
}

/**
 * Wires stewardship into the Model Hub backend plugin: reads
 * `modelHub.stewardship`, creates the task store (migrations run with the
 * plugin's), the engine (catalog, version activity, optional compliance,
 * notifications), schedules it and builds the router.
 */
export async function setupStewardship(
  options: StewardshipSetupOptions,
): Promise<StewardshipSetup> {
  const config = readStewardshipEngineConfig(options.config);
  const store = await StewardshipTaskStore.create({
    database: options.database,
  });
  const actionStore = await StewardshipActionStore.create({
    database: options.database,
  });
  const engine = new StewardshipEngine({
    overrides: actionStore,
    catalog: options.catalog,
    auth: options.auth,
    store,
    logger: options.logger,
    config: config.rules,
    activity: createVersionActivitySource(options.versions),
    compliance: options.compliance,
    notifier: options.notifications
      ? createNotificationServiceNotifier(options.notifications, {
          maxListedTasks: config.notifications.digest.maxListedTasks,
        })
      : undefined,
    notifyOpenedTasks: config.notifications.enabled,
    groupOpenedAbove: config.notifications.groupAbove,
    digest: config.notifications.digest,
  });
  await scheduleStewardship({
    scheduler: options.scheduler,
    engine,
    config,
    logger: options.logger,
  });
  const trigger = createStewardshipTrigger({
    scheduler: options.scheduler,
    logger: options.logger,
  });
  const router = createStewardshipRouter({
    httpAuth: options.httpAuth,
    auth: options.auth,
    catalog: options.catalog,
    store,
    engine,
    async decorate(tasks) {
      const pending = await actionStore.pendingWaivers(tasks.map(t => t.id));
      return tasks.map(t =>
        pending.has(t.id) ? { ...t, pendingWaiver: pending.get(t.id) } : t,
      );
    },
  });
  if (options.actions) {
    router.use(
      createStewardshipActionsRouter({
        ...options.actions,
        httpAuth: options.httpAuth,
        auth: options.auth,
        catalog: options.catalog,
        modelLookup: options.modelLookup,
        tasks: store,
        actions: actionStore,
        config: readStewardshipActionsConfig(options.config),
        trigger,
      }),
    );
  }
  return { engine, store, router, trigger };
}
