import { ModelLookup } from '../service/cachedEntityLookup';
import { createGauntlet } from '../gauntlet';
import { awaitsRescan } from '../gauntlet/scanFreshness';
import { GauntletCheck } from '@internal/plugin-model-hub-node';
import { InlineRescan, RescanStore, setupRescan } from '../rescan';
import {
  createGauntletComplianceSource,
  setupStewardship,
} from '../stewardship';
import { ModelHubPluginDeps } from './deps';
import { ModelHubPlatform } from './platform';
import { ModelHubVersionStorage } from './versionStorage';

/**
 * Governance: the compliance gauntlet (with the checks other modules
 * added), the stewardship engine, and rescans by newer scanners; the first
 * two react to every sealed version. Their routers are mounted by the
 * plugin, in its order.
 */
export async function wireGovernance(
  deps: ModelHubPluginDeps,
  platform: ModelHubPlatform,
  storage: ModelHubVersionStorage,
  options: { extraChecks: GauntletCheck[]; modelLookup: ModelLookup },
) {
  const {
    logger,
    config,
    database,
    httpAuth,
    auth,
    catalog,
    userInfo,
    lifecycle,
    notifications,
  } = deps;
  const { scheduler, auditor, permissions } = platform;
  const {
    versions,
    versionStore,
    modelChanges,
    sealedListeners,
    scannerConfig,
    artifacts,
    fileScanner,
  } = storage;
  const { extraChecks, modelLookup } = options;
  // A run never decides on an older scanner's verdict: it rescans the
  // files the background rescan has not reached (up to a bound) or earns
  // no tier on them.
  const scans = new InlineRescan({
    store: await RescanStore.create({ database }),
    artifacts,
    scanner: fileScanner,
    maxBytes: scannerConfig.rescan.inlineMaxBytes,
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
    scans,
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
    (entityRef, version) => gauntlet.runner.onVersionSealed(entityRef, version),
    async (entityRef, version) => {
      await stewardship.trigger(`version ${version} of ${entityRef} sealed`);
    },
  );

  // A newer scanner rescans stored files; changed verdicts re-run the
  // gauntlet and wake the stewardship engine.
  await setupRescan({
    config: scannerConfig.rescan,
    database,
    scheduler,
    logger: logger.child({ service: 'rescan' }),
    auditor,
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
    // A run that found verdicts pending decided nothing: decide now.
    onVerdictConfirmed: async ({ entityRef, version, scannerVersion }) => {
      if (await awaitsRescan(gauntlet.store, entityRef, version)) {
        await gauntlet.runner.enqueue(entityRef, version, 'scheduled', {
          reason: `scanner ${scannerVersion} confirmed the verdicts a run found pending`,
        });
      }
    },
  });
  return { gauntlet, stewardship };
}
