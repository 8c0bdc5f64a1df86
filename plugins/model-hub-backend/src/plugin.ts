import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import {
  GauntletCheck,
  modelHubGauntletExtensionPoint,
} from '@internal/plugin-model-hub-node';
import path from 'node:path';
import {
  gauntletPermissions,
  isModelEntity,
  modelHubAuditReadPermission,
  modelHubPermissions,
  stewardshipPermissions,
} from '@internal/plugin-model-hub-common';
import { createArtifactStore, readArtifactsConfig } from './artifacts/config';
import { createDirectTransfers } from './artifacts/directTransfersConfig';
import { createFileScanner } from './artifacts/FileScanner';
import { readScannerConfig, setupRescan } from './rescan';
import { UploadStaging } from './artifacts/UploadStaging';
import {
  modelHubModelPermissionRules,
  modelHubModelResourceRef,
} from './permissions/rules';
import { createRouter } from './service/router';
import { hubCatalogServiceRef } from './service/hubCatalog';
import {
  cachedModelLookup,
  readModelLookupCacheMs,
} from './service/cachedEntityLookup';
import { ExampleSeeder } from './examples';
import { createGauntlet } from './gauntlet';
import { createSeedGovernance } from './gauntlet/seedGovernance';
import {
  createGauntletComplianceSource,
  setupStewardship,
} from './stewardship';
import { createLifecycleRouter, DeprecationStore } from './lifecycle';
import {
  createModelResourceLoader,
  createRegistryRouter,
  ModelCardDeletion,
  partitionPermissions,
  RegisteredModelStore,
} from './registry';
import { readRecoveryConfig, scheduleRecovery } from './recovery';
import { ModelVersionService } from './versions/ModelVersionService';
import { VersionStore } from './versions/VersionStore';
import { ModelCache, READ_CACHE_DEFAULTS } from './database/ModelCache';
import { ModelChangeFeed } from './database/ModelChangeFeed';
import { setupTransfers } from './transfers/setup';
import { setupImports } from './ingestImport';
import { setupTokens } from './tokens/setup';
import { TaskRunStore, withTaskRunLog } from './scheduling';
import { assertAdvisorySource } from './production/advisorySource';
import {
  readExposeInternalErrors,
  withErrorBoundary,
} from './service/errorBoundary';
import { seedExamplePulls, setupUsage } from './usage';
import { setupEventsAndAudit } from './events/setup';
import {
  createHfRouter,
  hfDownloadRecorderServiceRef,
  readHfConfig,
} from './hf';
import { createModelSearchRouter, ModelSearch } from './search';
import { setupSimilarModels } from './similar';

/**
 * The Model Hub backend plugin (`/api/model-hub`): model versions and the
 * content-addressed artifact store, the compliance gauntlet that earns tiers,
 * and the stewardship engine that turns problems into team tasks.
 */
export const modelHubPlugin = createBackendPlugin({
  pluginId: 'model-hub',
  register(env) {
    const extraChecks: GauntletCheck[] = [];
    env.registerExtensionPoint(modelHubGauntletExtensionPoint, {
      addCheck(...checks: GauntletCheck[]) {
        extraChecks.push(...checks);
      },
    });
    env.registerInit({
      deps: {
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
        scheduler: coreServices.scheduler,
        userInfo: coreServices.userInfo,
        auditor: coreServices.auditor,
        lifecycle: coreServices.lifecycle,
        notifications: notificationService,
        events: eventsServiceRef,
        hfDownloads: hfDownloadRecorderServiceRef,
        hubCatalog: hubCatalogServiceRef,
      },
      async init({
        logger,
        config,
        database,
        httpRouter: pluginRouter,
        httpAuth,
        auth,
        permissions: rawPermissions,
        permissionsRegistry,
        catalog,
        scheduler: clusterScheduler,
        userInfo,
        auditor: rawAuditor,
        lifecycle,
        notifications,
        events,
        hfDownloads,
        hubCatalog,
      }) {
        // Every cluster-wide task run is logged with its replica
        // (model_hub_task_runs; README "Running several replicas").
        const scheduler = withTaskRunLog(clusterScheduler, {
          store: await TaskRunStore.create({ database }),
          logger,
        });
        // Every router below answers unexpected errors with one line and a
        // request id, never a message, path or stack (src/service/errorBoundary).
        const httpRouter = withErrorBoundary(pluginRouter, {
          logger,
          exposeInternal: readExposeInternalErrors(config),
        });
        // Production refuses to start without a real advisory source.
        await assertAdvisorySource(config);
        // Every audit event is also kept in the audit trail (admin view) and
        // the CI/CD-relevant ones go out as typed events and webhooks (#21).
        const eventsAndAudit = await setupEventsAndAudit({
          config,
          database,
          logger: logger.child({ service: 'events' }),
          auditor: rawAuditor,
          httpAuth,
          auth,
          catalog,
          permissions: rawPermissions,
          events,
          scheduler,
          lifecycle,
        });
        const auditor = eventsAndAudit.auditor;
        httpRouter.use(eventsAndAudit.router);
        permissionsRegistry.addPermissions([modelHubAuditReadPermission]);
        // Personal access tokens, and service principals limited to their
        // modelHub.servicePrincipals grants in every router below.
        const tokens = await setupTokens({
          config,
          database,
          logger,
          auth,
          httpAuth,
          auditor,
          catalog,
          permissions: rawPermissions,
          lifecycle,
        });
        const permissions = tokens.permissions;
        httpRouter.use(tokens.router);
        const registeredModels = await RegisteredModelStore.create({
          database,
        });
        // A resource type only takes permissions of its own type; the basic
        // ones (registering a model) are added on their own.
        const modelPermissions = partitionPermissions(
          [
            ...modelHubPermissions,
            ...gauntletPermissions,
            ...stewardshipPermissions,
          ],
          modelHubModelResourceRef.resourceType,
        );
        permissionsRegistry.addResourceType({
          resourceRef: modelHubModelResourceRef,
          permissions: modelPermissions.resource,
          rules: Object.values(modelHubModelPermissionRules),
          // Called by the permission backend to evaluate conditions.
          getResources: createModelResourceLoader({
            catalog,
            auth,
            registeredModels,
          }),
        });
        permissionsRegistry.addPermissions(modelPermissions.basic);

        const artifactsConfig = readArtifactsConfig(config);
        const artifacts = createArtifactStore(artifactsConfig);
        logger.info(
          artifactsConfig.store.type === 's3'
            ? `Artifacts are stored in S3 bucket ${artifactsConfig.store.bucket}`
            : `Artifacts are stored in ${artifactsConfig.store.directory}`,
        );
        // Presigned S3 uploads and downloads (issue #16), when configured.
        const directTransfers = createDirectTransfers(
          config,
          artifactsConfig,
          artifacts,
        );
        const staging = new UploadStaging({
          directory: artifactsConfig.stagingDirectory,
          maxBytes: artifactsConfig.maxUploadBytes,
        });
        // Everything that reacts to a sealed version (the gauntlet, the
        // stewardship engine) subscribes here; a listener's failure is logged
        // and never undoes the seal.
        const sealedListeners: Array<
          (entityRef: string, version: string) => Promise<void>
        > = [];
        const versionStore = await VersionStore.create({ database });
        // Every write of a model's versions or gauntlet state is an event
        // (database triggers); the replica's read caches drop on them.
        const modelChanges = new ModelChangeFeed({
          db: await database.getClient(),
        });
        // Staging debris, abandoned seals and orphan blobs: at start-up and
        // on a schedule (src/recovery).
        await scheduleRecovery({
          scheduler,
          logger,
          config: readRecoveryConfig(config),
          versions: versionStore,
          artifacts,
          stagingDirectory: artifactsConfig.stagingDirectory,
        });
        const scannerConfig = readScannerConfig(config);
        const fileScanner = createFileScanner(scannerConfig.scanOptions);
        const versions = new ModelVersionService({
          store: versionStore,
          artifacts,
          staging,
          scanner: fileScanner,
          logger,
          onSealed: async (entityRef, version) => {
            for (const listener of sealedListeners) {
              try {
                await listener(entityRef, version);
              } catch (e) {
                logger.error(
                  `Reacting to the seal of ${entityRef}@${version} failed: ${e}`,
                );
              }
            }
          },
        });

        // Read routes look their model up per caller, briefly cached.
        // Misses through the hub's own catalog access (reused tokens, no gzip).
        const modelLookup = cachedModelLookup(hubCatalog, {
          ttlMs: readModelLookupCacheMs(config),
        });
        const gauntlet = await createGauntlet({
          config,
          database,
          logger,
          auth,
          httpAuth,
          permissions,
          userInfo,
          auditor,
          catalog,
          versions,
          extraChecks,
          modelLookup,
          changes: modelChanges,
        });
        await gauntlet.runner.start(scheduler);
        // A stopping backend stops heartbeating: its runs' leases expire and
        // another replica's recovery re-queues them (once).
        lifecycle.addShutdownHook(() => gauntlet.runner.stop());

        const stewardship = await setupStewardship({
          config,
          logger,
          database,
          scheduler,
          auth,
          httpAuth,
          catalog,
          notifications,
          versions: versionStore,
          // Snooze, waive, reassign steward, archive (with the caller's credentials).
          actions: { permissions, userInfo, auditor },
          modelLookup,
          // Batched: a fixed number of queries per 500 models.
          compliance: createGauntletComplianceSource(gauntlet.evaluations, {
            onError: (ref, e) =>
              logger.warn(
                `Stewardship could not read the gauntlet state of ${ref}: ${e}`,
              ),
          }),
        });
        sealedListeners.push(
          (entityRef, version) =>
            gauntlet.runner.onVersionSealed(entityRef, version),
          async (entityRef, version) => {
            await stewardship.trigger(
              `version ${version} of ${entityRef} sealed`,
            );
          },
        );

        // A newer scanner rescans stored files; changed verdicts re-run the
        // gauntlet and wake the stewardship engine.
        await setupRescan({
          config: scannerConfig.rescan,
          database,
          scheduler,
          logger: logger.child({ service: 'rescan' }),
          artifacts,
          scanner: fileScanner,
          onVerdictChanged: async change => {
            const reason = `scanner ${
              change.scannerVersion
            } changed the verdict of ${change.files
              .map(f => `${f.path} (${f.before} → ${f.after})`)
              .join(', ')}`;
            await gauntlet.runner.enqueue(
              change.entityRef,
              change.version,
              'scheduled',
              { reason },
            );
            await stewardship.trigger(
              `${change.entityRef}@${change.version}: ${reason}`,
            );
          },
        });

        // Similar models and duplicate effort through a term index (issue #18).
        const similar = await setupSimilarModels({
          config,
          database,
          scheduler,
          logger: logger.child({ service: 'similar' }),
          httpAuth,
          auth,
          userInfo,
          catalog,
        });
        httpRouter.use(similar.router);
        // Pull metrics, reuse leaderboards, first-consumer notifications (issue #21).
        const usage = await setupUsage({
          config,
          database,
          scheduler,
          logger: logger.child({ service: 'usage' }),
          httpAuth,
          auth,
          userInfo,
          catalog,
          notifications,
          overlaps: credentials => similar.similar.overlapping(credentials),
          modelLookup,
        });
        httpRouter.use(usage.router);
        httpRouter.use(
          await createRouter({
            logger,
            httpAuth,
            permissions,
            catalog,
            versions,
            staging,
            auditor,
            onFileDownload: d => usage.recorder.record(d),
            directTransfers,
            modelLookup,
            versionListCache: new ModelCache({
              feed: modelChanges,
              ...READ_CACHE_DEFAULTS,
            }),
          }),
        );
        // Multipart uploads and dedupe by content (issue #16).
        const transfers = await setupTransfers({
          config,
          database,
          scheduler,
          logger,
          httpAuth,
          permissions,
          catalog,
          versions,
          versionStore,
          stagingDirectory: artifactsConfig.stagingDirectory,
          maxUploadBytes: artifactsConfig.maxUploadBytes,
          directTransfers,
        });
        httpRouter.use(transfers.router);
        // Import of ingested models' upstream versions (issue #20).
        const imports = await setupImports({
          config,
          database,
          scheduler,
          logger: logger.child({ service: 'import' }),
          auth,
          httpAuth,
          permissions,
          catalog,
          auditor,
          versions,
          staging,
        });
        httpRouter.use(imports.router);
        // The Hugging Face Hub protocol, read-only (/api/model-hub/hf).
        httpRouter.use(
          await createHfRouter({
            logger,
            httpAuth,
            auth,
            catalog,
            versions,
            config: readHfConfig(config),
            // A download through the HF endpoints is a pull by the token's
            // user, like one through the hub's own file route.
            onDownload: async download => {
              await hfDownloads(download);
              await usage.recorder.record(download);
            },
          }),
        );
        httpRouter.use(gauntlet.router);
        // Server-side model search with facets and batched tiers (issue #18).
        httpRouter.use(
          await createModelSearchRouter({
            httpAuth,
            search: new ModelSearch({
              // The hub's catalog access: uncompressed, tokens reused per caller.
              catalog: hubCatalog,
              tiers: gauntlet.tiers,
              summaryTtlMs:
                (config.getOptionalNumber(
                  'modelHub.search.summaryCacheSeconds',
                ) ?? 10) * 1000,
            }),
          }),
        );
        httpRouter.use(stewardship.router);
        const cardDeletion = await ModelCardDeletion.create({ database });
        httpRouter.use(
          await createRegistryRouter({
            store: registeredModels,
            httpAuth,
            auth,
            permissions,
            userInfo,
            catalog,
            auditor,
            logger,
            deleteCard: ref => cardDeletion.delete(ref),
          }),
        );
        httpRouter.use(
          await createLifecycleRouter({
            store: await DeprecationStore.create({ database }),
            httpAuth,
            auth,
            permissions,
            catalog,
            auditor,
            logger,
            async pendingModel(entityRef) {
              const entity = (await registeredModels.get(entityRef))?.entity;
              return entity && isModelEntity(entity) ? entity : undefined;
            },
            // Consumers' migration tasks follow a deprecation right away,
            // not at the next scheduled evaluation.
            onApplied: (_entityRef, reason) => stewardship.trigger(reason),
          }),
        );

        // The embedded demo publishes the example versions once the catalog
        // has the example models (modelHub.examples.seedFile).
        const seedFile = config.getOptionalString('modelHub.examples.seedFile');
        if (seedFile) {
          const seeder = new ExampleSeeder({
            seedFile: path.resolve(seedFile),
            versions,
            catalog,
            auth,
            logger: logger.child({ service: 'examples' }),
            auditor,
            governance: createSeedGovernance({
              runner: gauntlet.runner,
              getEntity: async ref =>
                catalog.getEntityByRef(ref, {
                  credentials: await auth.getOwnServiceCredentials(),
                }),
              auditor,
              catalog,
              auth,
              gauntletConfig: gauntlet.config,
              versions,
            }),
          });
          lifecycle.addStartupHook(() => {
            void seeder
              .seedInBackground()
              // Then the demo's usage: real pulls as example users.
              .then(() =>
                seedExamplePulls({
                  seedFile: path.resolve(seedFile),
                  versions,
                  recorder: usage.recorder,
                  store: usage.store,
                  logger: logger.child({ service: 'examples' }),
                }),
              )
              .catch(e =>
                logger.error(`Seeding example pulls failed: ${e.message}`),
              );
          });
        }
      },
    });
  },
});
