import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  isModelEntity,
  ModelEntityV1alpha1,
} from '@internal/plugin-model-hub-common';
import { GauntletCatalog, GauntletVersionSource } from './catalogAccess';
import { canonicalJson, GauntletConfig, sha256Hex } from './config';
import { GauntletCheck, GauntletCheckFile, runGauntletCheck } from './nodeApi';
import { NewGauntletResult } from './ResultStore';
import { GauntletRunInputs } from './RunQueueStore';
import { entitySha256, filesSha256 } from './runInputs';
import {
  GauntletScanFreshness,
  heldSecurityResult,
  withCurrentScans,
} from './scanFreshness';
import { GauntletStore } from './GauntletStore';
import { GauntletRun } from './types';

/** What executing a run produced, ready to store. */
export interface ExecutedRun {
  entity: Entity;
  inputs: GauntletRunInputs;
  results: NewGauntletResult[];
}

/**
 * Executes one run: loads the model and its sealed version, hashes the
 * inputs and runs every check in order. Stores nothing.
 */
export class RunExecutor {
  constructor(
    private readonly options: {
      checks: GauntletCheck[];
      versions: GauntletVersionSource;
      catalog: GauntletCatalog;
      config: Config;
      gauntletConfig: GauntletConfig;
      logger: LoggerService;
      clock: () => Date;
      /**
       * Which verdicts are an older scanner's (rescanned now, or pending);
       * without it every stored verdict is taken as current.
       */
      scans?: GauntletScanFreshness;
      /** The held tier and previous results (a pending verdict keeps them). */
      store?: Pick<GauntletStore, 'tiers' | 'latestResultsOfTiers'>;
    },
  ) {}

  /** @throws Error when the model or the sealed version is gone */
  async execute(run: GauntletRun): Promise<ExecutedRun> {
    const { checks, versions, catalog, clock, logger } = this.options;
    const gc = this.options.gauntletConfig;
    const entity = await catalog.getEntityByRef(run.entityRef);
    if (!entity || !isModelEntity(entity)) {
      throw new Error(`Model ${run.entityRef} is no longer in the catalog`);
    }
    const version = await versions.getVersion(run.entityRef, run.version);
    if (version.state !== 'sealed') {
      throw new Error(
        `Version ${run.version} of ${run.entityRef} is not sealed`,
      );
    }
    const current = this.options.scans
      ? await this.options.scans.currentScans(
          run.entityRef,
          run.version,
          version.files,
        )
      : new Map();
    const files: GauntletCheckFile[] = withCurrentScans(
      version.files,
      current,
      f => versions.readFile(f),
    );
    const checkVersions = Object.fromEntries(
      checks.map(c => [c.id, c.version]),
    );
    const entityHash = entitySha256(entity);
    const filesHash = filesSha256(version.files);
    const inputs: GauntletRunInputs = {
      entitySha256: entityHash,
      filesSha256: filesHash,
      configSha256: gc.configSha256,
      inputsSha256: sha256Hex(
        canonicalJson({
          entityHash,
          filesHash,
          config: gc.configSha256,
          checkVersions,
        }),
      ),
      checkVersions,
    };
    const results: NewGauntletResult[] = [];
    const checkCatalog = {
      getEntityByRef: (ref: string) => catalog.getEntityByRef(ref),
    };
    for (const check of checks) {
      const startedAt = clock();
      const result = await runGauntletCheck(check, {
        entity: entity as ModelEntityV1alpha1,
        version,
        files,
        catalog: checkCatalog,
        config: this.options.config,
        tier: run.tier,
        logger: logger.child({ check: check.id, run: String(run.id) }),
      });
      results.push({
        checkId: check.id,
        checkVersion: check.version,
        result,
        startedAt,
        finishedAt: clock(),
      });
    }
    return { entity, inputs, results: await this.#holdTier(run, results) };
  }

  /** Keeps a held tier's security result while verdicts await their rescan. */
  async #holdTier(
    run: GauntletRun,
    results: NewGauntletResult[],
  ): Promise<NewGauntletResult[]> {
    const { store } = this.options;
    const pending = results.some(
      r => (r.result.metrics?.pending_rescan_files ?? 0) > 0,
    );
    if (!store || !pending) return results;
    const held = await store.tiers.get(run.entityRef);
    const [previous] = await store.latestResultsOfTiers(
      run.entityRef,
      run.version,
      [run.tier],
    );
    return results.map(result =>
      heldSecurityResult({
        result,
        run,
        held,
        previous: previous.find(p => p.checkId === result.checkId),
      }),
    );
  }
}
