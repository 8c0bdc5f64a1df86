import {
  AuditorService,
  AuthService,
  DatabaseService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  RootConfigService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import express from 'express';
import { GauntletConfig, readGauntletConfig } from './config';
import {
  gauntletCatalogFromService,
  GauntletRunner,
  GauntletVersionSource,
} from './GauntletRunner';
import { GauntletScanFreshness } from './scanFreshness';
import { GauntletStore } from './GauntletStore';
import { BatchTierReader } from './BatchTierReader';
import { EffectiveTierCache } from './EffectiveTierCache';
import { builtinGauntletChecks, GauntletCheck } from './nodeApi';
import { createGauntletRouter } from './router';
import { ModelLookup } from '../service/cachedEntityLookup';
import { ModelCache, READ_CACHE_DEFAULTS } from '../database/ModelCache';
import { evaluationValidUntil } from './evaluationExpiry';
import { ModelChangeFeed } from '../database/ModelChangeFeed';

/** Dependencies of {@link createGauntlet}: core services plus the version service. */
export interface CreateGauntletOptions {
  config: RootConfigService;
  database: DatabaseService;
  logger: LoggerService;
  auth: AuthService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  userInfo: UserInfoService;
  auditor: AuditorService;
  catalog: CatalogService;
  /** The routes' model lookup (default: the catalog, live). */
  modelLookup?: ModelLookup;
  /** The version service (`ModelVersionService` fits). */
  versions: GauntletVersionSource;
  /** Checks added through the extension point, after the five built-in ones. */
  extraChecks?: GauntletCheck[];
  /** The clock (tests). */
  clock?: () => Date;
  /** The replica's model change events (default: its own, over the plugin database). */
  changes?: ModelChangeFeed;
  /**
   * Which stored verdicts an older scanner gave (the rescan module's
   * inline rescan): runs rescan them or earn no tier on them.
   */
  scans?: GauntletScanFreshness;
}

/** The wired gauntlet: runner (start it with the scheduler), router and config. */
export interface Gauntlet {
  runner: GauntletRunner;
  /** The gauntlet's store (runs, promotions, waivers, tiers). */
  store: GauntletStore;
  router: express.Router;
  config: GauntletConfig;
  /** Effective tiers of many models at once, cached across events (search, catalog). */
  tiers: EffectiveTierCache;
  /** Uncached batched evaluations with results and waivers (stewardship). */
  evaluations: BatchTierReader;
}

/** Default of `modelHub.gauntlet.tierCacheSeconds`. */
export const DEFAULT_TIER_CACHE_SECONDS = 30;

/**
 * Builds the gauntlet from the plugin's services: runs the migrations,
 * creates the runner with the built-in and extra checks, and the router.
 */
export async function createGauntlet(
  options: CreateGauntletOptions,
): Promise<Gauntlet> {
  const gauntletConfig = readGauntletConfig(options.config);
  const store = await GauntletStore.create({ database: options.database });
  const db = await options.database.getClient();
  const clock = options.clock ?? (() => new Date());
  const evaluations = new BatchTierReader(db, gauntletConfig, options.versions);
  const feed = options.changes ?? new ModelChangeFeed({ db });
  const ttlMs =
    (options.config.getOptionalNumber('modelHub.gauntlet.tierCacheSeconds') ??
      DEFAULT_TIER_CACHE_SECONDS) * 1000;
  const tiers = new EffectiveTierCache({
    feed,
    reader: evaluations,
    ttlMs,
    clock,
  });
  const runner = new GauntletRunner({
    store,
    checks: [...builtinGauntletChecks, ...(options.extraChecks ?? [])],
    versions: options.versions,
    catalog: gauntletCatalogFromService(options.catalog, options.auth),
    config: options.config,
    gauntletConfig,
    logger: options.logger.child({ service: 'gauntlet' }),
    auditor: options.auditor,
    clock: options.clock,
    scans: options.scans,
    answerCache: new ModelCache({
      feed,
      ...READ_CACHE_DEFAULTS,
      clock: () => clock().getTime(),
      validUntil: evaluationValidUntil,
    }),
  });
  const router = await createGauntletRouter({
    runner,
    tiers,
    versions: options.versions,
    httpAuth: options.httpAuth,
    auth: options.auth,
    permissions: options.permissions,
    userInfo: options.userInfo,
    catalog: options.catalog,
    auditor: options.auditor,
    gauntletConfig,
    logger: options.logger,
    modelLookup: options.modelLookup,
  });
  return {
    runner,
    router,
    config: gauntletConfig,
    store,
    tiers,
    evaluations,
  };
}
