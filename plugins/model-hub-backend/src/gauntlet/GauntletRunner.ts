import { hostname } from 'node:os';
import { Readable } from 'node:stream';
import {
  AuditorService,
  AuthService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  isModelEntity,
  MODEL_HUB_ANNOTATIONS,
  MODEL_TIERS,
  ModelEntityV1alpha1,
  ModelTier,
  ModelVersion,
  ModelVersionFile,
} from '@internal/plugin-model-hub-common';
import { canonicalJson, GauntletConfig, sha256Hex } from './config';
import { GauntletStore, NewGauntletResult } from './GauntletStore';
import { GauntletCheck, GauntletCheckFile, runGauntletCheck } from './nodeApi';
import {
  computeEffectiveTier,
  EffectiveTierDecision,
  tierChain,
} from './tiers';
import {
  GauntletResult,
  GauntletRun,
  GauntletRunTrigger,
  GauntletWaiver,
  PromotionRequest,
} from './types';

/** What the runner needs of the version service (C's `ModelVersionService` fits). */
export interface GauntletVersionSource {
  /** @throws NotFoundError when there is no such version */
  getVersion(entityRef: string, versionOrAlias: string): Promise<ModelVersion>;
  /** All versions, most recently created first. */
  listVersions(entityRef: string): Promise<ModelVersion[]>;
  readFile(file: Pick<ModelVersionFile, 'sha256'>): Promise<Readable>;
}

/** Catalog access of the gauntlet (as the plugin itself, not as a user). */
export interface GauntletCatalog {
  getEntityByRef(ref: string): Promise<Entity | undefined>;
  /** Every Model entity. */
  getModels(): Promise<Entity[]>;
}

/** Catalog access through the catalog service with the plugin's own credentials. */
export function gauntletCatalogFromService(
  catalog: CatalogService,
  auth: AuthService,
): GauntletCatalog {
  return {
    async getEntityByRef(ref) {
      return catalog.getEntityByRef(ref, {
        credentials: await auth.getOwnServiceCredentials(),
      });
    },
    async getModels() {
      const { items } = await catalog.getEntities(
        { filter: { kind: 'Model' } },
        { credentials: await auth.getOwnServiceCredentials() },
      );
      return items;
    },
  };
}

/** Annotations the hub writes itself; they do not change what is checked. */
const HUB_WRITTEN = new Set<string>([
  MODEL_HUB_ANNOTATIONS.effectiveTier,
  MODEL_HUB_ANNOTATIONS.gauntletStatus,
]);

/** SHA-256 of what a check can see of the entity: spec and the modelhub.io annotations. */
export function entitySha256(entity: Entity): string {
  const annotations = Object.fromEntries(
    Object.entries(entity.metadata.annotations ?? {}).filter(
      ([k]) => k.startsWith('modelhub.io/') && !HUB_WRITTEN.has(k),
    ),
  );
  return sha256Hex(
    canonicalJson({
      ref: stringifyEntityRef(entity).toLocaleLowerCase('en-US'),
      annotations,
      spec: entity.spec ?? {},
    }),
  );
}

/** SHA-256 over the sorted `path:sha256` lines of the version files. */
export function filesSha256(
  files: Array<Pick<ModelVersionFile, 'path' | 'sha256'>>,
): string {
  return sha256Hex(
    files
      .map(f => `${f.path}:${f.sha256}\n`)
      .sort()
      .join(''),
  );
}

/** The tier a model asks for: the requested-tier annotation, else `spec.tier`. */
export function requestedTierOf(entity: Entity): ModelTier {
  const annotated =
    entity.metadata.annotations?.[MODEL_HUB_ANNOTATIONS.requestedTier];
  const tier = annotated ?? (entity.spec?.tier as string | undefined);
  return (MODEL_TIERS as readonly string[]).includes(tier ?? '')
    ? (tier as ModelTier)
    : 'community';
}

/** Options of {@link GauntletRunner}. */
export interface GauntletRunnerOptions {
  store: GauntletStore;
  checks: GauntletCheck[];
  versions: GauntletVersionSource;
  catalog: GauntletCatalog;
  /** The root config, handed to the checks. */
  config: Config;
  gauntletConfig: GauntletConfig;
  logger: LoggerService;
  auditor?: AuditorService;
  /** Identifies this runner in claims; default host name and process id. */
  runnerId?: string;
  /** The clock; tests pass a controlled one. */
  clock?: () => Date;
}

/** A model's full gauntlet state for its latest sealed version. */
export interface GauntletEvaluation extends EffectiveTierDecision {
  entityRef: string;
  version: string | null;
  resultsByTier: Partial<Record<ModelTier, GauntletResult[]>>;
  activeRuns: GauntletRun[];
  approvals: PromotionRequest[];
  waivers: GauntletWaiver[];
}

/**
 * Runs the gauntlet: enqueues runs (on seal, on demand, on a schedule when
 * policy, rules or inputs changed or results got old), claims them from the
 * database queue so each executes once across replicas, executes every
 * check, stores results with input hashes and timing, and records the
 * effective tier (auditing every change).
 */
export class GauntletRunner {
  readonly #store: GauntletStore;
  readonly #checks: GauntletCheck[];
  readonly #versions: GauntletVersionSource;
  readonly #catalog: GauntletCatalog;
  readonly #config: Config;
  readonly #gc: GauntletConfig;
  readonly #logger: LoggerService;
  readonly #auditor?: AuditorService;
  readonly #runnerId: string;
  readonly #clock: () => Date;
  #draining: Promise<number> | undefined;

  /** Creates a runner; call {@link GauntletRunner.start} to schedule it. */
  constructor(options: GauntletRunnerOptions) {
    const ids = new Set<string>();
    for (const check of options.checks) {
      if (ids.has(check.id))
        throw new Error(`Duplicate gauntlet check id '${check.id}'`);
      ids.add(check.id);
    }
    this.#store = options.store;
    this.#checks = options.checks;
    this.#versions = options.versions;
    this.#catalog = options.catalog;
    this.#config = options.config;
    this.#gc = options.gauntletConfig;
    this.#logger = options.logger;
    this.#auditor = options.auditor;
    this.#runnerId = options.runnerId ?? `${hostname()}:${process.pid}`;
    this.#clock = options.clock ?? (() => new Date());
  }

  /** The registered checks. */
  get checks(): readonly GauntletCheck[] {
    return this.#checks;
  }

  /** The store (for the router). */
  get store(): GauntletStore {
    return this.#store;
  }

  /** The current time of the runner's clock. */
  now(): Date {
    return this.#clock();
  }

  /**
   * Schedules the work: every replica polls the queue (`scope: 'local'`;
   * the database claim keeps each run to one replica), and one replica at a
   * time re-checks models whose results are outdated (`scope: 'global'`).
   */
  async start(scheduler: SchedulerService): Promise<void> {
    await scheduler.scheduleTask({
      id: 'model-hub-gauntlet-worker',
      scope: 'local',
      frequency: { seconds: this.#gc.workerPollSeconds },
      timeout: { minutes: this.#gc.leaseMinutes },
      initialDelay: { seconds: 5 },
      fn: async () => {
        await this.drain();
      },
    });
    await scheduler.scheduleTask({
      id: 'model-hub-gauntlet-refresh',
      scope: 'global',
      ...this.#gc.schedule,
      fn: async () => {
        await this.refresh();
      },
    });
  }

  /**
   * Enqueues runs of a model version for the requested tier and its fallback
   * tiers (official → also community).
   * @throws NotFoundError when the model is not a Model in the catalog
   */
  async enqueue(
    entityRef: string,
    version: string,
    trigger: GauntletRunTrigger,
    details: { requestedBy?: string; reason?: string } = {},
  ): Promise<GauntletRun[]> {
    const entity = await this.#catalog.getEntityByRef(entityRef);
    if (!entity || !isModelEntity(entity)) {
      throw new NotFoundError(`Model ${entityRef} not found in the catalog`);
    }
    const runs: GauntletRun[] = [];
    for (const tier of tierChain(requestedTierOf(entity))) {
      const { run } = await this.#store.enqueue(
        {
          entityRef,
          version,
          tier,
          trigger,
          requestedBy: details.requestedBy,
          triggerReason: details.reason,
        },
        this.#clock(),
      );
      runs.push(run);
    }
    return runs;
  }

  /**
   * The hook the version service calls after sealing a version: enqueues its
   * runs and starts working on them in the background. Never throws.
   */
  async onVersionSealed(entityRef: string, version: string): Promise<void> {
    try {
      await this.enqueue(entityRef, version, 'sealed', {
        reason: `version ${version} sealed`,
      });
      void this.drain().catch(e =>
        this.#logger.error(`Gauntlet drain after sealing failed: ${e}`),
      );
    } catch (e) {
      this.#logger.error(
        `Could not enqueue the gauntlet for ${entityRef}@${version}: ${
          (e as Error).message
        }`,
      );
    }
  }

  /**
   * Executes queued runs until none is left; returns how many it executed.
   * Concurrent calls in one process share one drain.
   */
  async drain(): Promise<number> {
    if (!this.#draining) {
      this.#draining = (async () => {
        let n = 0;
        try {
          await this.#store.failExhausted(
            this.#clock(),
            this.#gc.leaseMinutes * 60_000,
            this.#gc.maxAttempts,
          );
          while (await this.processNext()) n++;
        } finally {
          this.#draining = undefined;
        }
        return n;
      })();
    }
    return this.#draining;
  }

  /** Claims and executes one run; false when the queue is empty. */
  async processNext(): Promise<boolean> {
    const run = await this.#store.claimNext(
      this.#runnerId,
      this.#clock(),
      this.#gc.leaseMinutes * 60_000,
      this.#gc.maxAttempts,
    );
    if (!run) return false;
    const token = run.claimToken;
    try {
      await this.#execute(run, token);
    } catch (e) {
      const message = (e as Error).message ?? String(e);
      this.#logger.error(
        `Gauntlet run ${run.id} of ${run.entityRef}@${run.version} failed: ${message}`,
      );
      await this.#store.failRun(run.id, token, message, this.#clock());
    }
    return true;
  }

  async #execute(run: GauntletRun, token: string): Promise<void> {
    const entity = await this.#catalog.getEntityByRef(run.entityRef);
    if (!entity || !isModelEntity(entity)) {
      throw new Error(`Model ${run.entityRef} is no longer in the catalog`);
    }
    const version = await this.#versions.getVersion(run.entityRef, run.version);
    if (version.state !== 'sealed') {
      throw new Error(
        `Version ${run.version} of ${run.entityRef} is not sealed`,
      );
    }
    const files: GauntletCheckFile[] = version.files.map(f => ({
      ...f,
      open: () => this.#versions.readFile(f),
    }));
    const checkVersions = Object.fromEntries(
      this.#checks.map(c => [c.id, c.version]),
    );
    const entityHash = entitySha256(entity);
    const filesHash = filesSha256(version.files);
    const inputs = {
      entitySha256: entityHash,
      filesSha256: filesHash,
      configSha256: this.#gc.configSha256,
      inputsSha256: sha256Hex(
        canonicalJson({
          entityHash,
          filesHash,
          config: this.#gc.configSha256,
          checkVersions,
        }),
      ),
      checkVersions,
    };
    const results: NewGauntletResult[] = [];
    const catalog = {
      getEntityByRef: (ref: string) => this.#catalog.getEntityByRef(ref),
    };
    for (const check of this.#checks) {
      const startedAt = this.#clock();
      const result = await runGauntletCheck(check, {
        entity: entity as ModelEntityV1alpha1,
        version,
        files,
        catalog,
        config: this.#config,
        tier: run.tier,
        logger: this.#logger.child({ check: check.id, run: String(run.id) }),
      });
      results.push({
        checkId: check.id,
        checkVersion: check.version,
        result,
        startedAt,
        finishedAt: this.#clock(),
      });
    }
    const stored = await this.#store.completeRun(
      run.id,
      token,
      inputs,
      results,
      this.#clock(),
    );
    if (!stored) {
      this.#logger.warn(
        `Gauntlet run ${run.id} was taken over by another runner; results dropped`,
      );
      return;
    }
    this.#logger.info(
      `Gauntlet run ${run.id} of ${run.entityRef}@${run.version} (${
        run.tier
      }): ${results.map(r => `${r.checkId}=${r.result.status}`).join(' ')}`,
    );
    await this.updateTier(entity);
  }

  /** The latest sealed version of a model, if any. */
  async latestSealedVersion(
    entityRef: string,
  ): Promise<ModelVersion | undefined> {
    const versions = await this.#versions.listVersions(entityRef);
    return versions.find(v => v.state === 'sealed');
  }

  /** Computes the gauntlet state of a model for its latest sealed version. */
  async evaluate(entity: Entity): Promise<GauntletEvaluation> {
    const entityRef = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
    const now = this.#clock();
    const requestedTier = requestedTierOf(entity);
    const [latest, approvals, waivers] = await Promise.all([
      this.latestSealedVersion(entityRef),
      this.#store.listPromotionRequests(entityRef),
      this.#store.listWaivers(entityRef, now),
    ]);
    const resultsByTier: Partial<Record<ModelTier, GauntletResult[]>> = {};
    let activeRuns: GauntletRun[] = [];
    if (latest) {
      for (const tier of tierChain(requestedTier)) {
        resultsByTier[tier] = await this.#store.latestResults(
          entityRef,
          latest.version,
          tier,
        );
      }
      activeRuns = await this.#store.activeRuns(entityRef, latest.version);
    }
    const decision = computeEffectiveTier({
      requestedTier,
      version: latest?.version,
      gates: this.#gc.gates,
      resultsByTier,
      waivers,
      approvals,
      runsActive: activeRuns.length > 0,
      now,
    });
    return {
      ...decision,
      entityRef,
      version: latest?.version ?? null,
      resultsByTier,
      activeRuns,
      approvals,
      waivers,
    };
  }

  /**
   * Recomputes and stores the effective tier of a model; a change is
   * recorded with the auditor (`gauntlet-tier-change`).
   */
  async updateTier(entity: Entity): Promise<GauntletEvaluation> {
    const evaluation = await this.evaluate(entity);
    const { changed, previous } = await this.#store.setTier(
      {
        entityRef: evaluation.entityRef,
        requestedTier: evaluation.requestedTier,
        effectiveTier: evaluation.effectiveTier,
        version: evaluation.version,
        reason: evaluation.reason,
      },
      this.#clock(),
    );
    if (changed) {
      this.#logger.info(
        `Effective tier of ${evaluation.entityRef}: ${
          previous?.effectiveTier ?? 'none'
        } -> ${evaluation.effectiveTier ?? 'none'} (${evaluation.reason})`,
      );
      if (this.#auditor) {
        const event = await this.#auditor.createEvent({
          eventId: 'gauntlet-tier-change',
          severityLevel: 'medium',
          meta: {
            entityRef: evaluation.entityRef,
            version: evaluation.version,
            requestedTier: evaluation.requestedTier,
            previousTier: previous?.effectiveTier ?? null,
            effectiveTier: evaluation.effectiveTier,
            reason: evaluation.reason,
          },
        });
        await event.success();
      }
    }
    return evaluation;
  }

  /**
   * The scheduled refresh: for every model's latest sealed version and tier,
   * enqueues a run when there is none, when a check's version, the policy
   * (config hash) or the entity changed since the latest run, or when its
   * results are older than `maxResultAgeDays`. Also recomputes every tier,
   * so expired waivers take effect. Returns the runs enqueued.
   */
  async refresh(): Promise<GauntletRun[]> {
    const now = this.#clock();
    const maxAgeMs = this.#gc.maxResultAgeDays * 24 * 3600 * 1000;
    const checkVersions = Object.fromEntries(
      this.#checks.map(c => [c.id, c.version]),
    );
    const enqueued: GauntletRun[] = [];
    for (const entity of await this.#catalog.getModels()) {
      if (!isModelEntity(entity)) continue;
      const entityRef = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
      try {
        const latest = await this.latestSealedVersion(entityRef);
        if (latest) {
          const active = await this.#store.activeRuns(
            entityRef,
            latest.version,
          );
          for (const tier of tierChain(requestedTierOf(entity))) {
            if (active.some(r => r.tier === tier && r.status === 'queued'))
              continue;
            const last = await this.#store.latestCompletedRun(
              entityRef,
              latest.version,
              tier,
            );
            const why = staleness(last, {
              checkVersions,
              configSha256: this.#gc.configSha256,
              entitySha256: entitySha256(entity),
              now,
              maxAgeMs,
            });
            if (!why) continue;
            const { created, run } = await this.#store.enqueue(
              {
                entityRef,
                version: latest.version,
                tier,
                trigger: 'scheduled',
                triggerReason: why,
              },
              now,
            );
            if (created) enqueued.push(run);
          }
        }
        await this.updateTier(entity);
      } catch (e) {
        this.#logger.error(
          `Gauntlet refresh of ${entityRef} failed: ${(e as Error).message}`,
        );
      }
    }
    if (enqueued.length > 0) {
      this.#logger.info(`Gauntlet refresh enqueued ${enqueued.length} run(s)`);
    }
    return enqueued;
  }
}

/** Why the latest run is outdated, or undefined when it is current. */
export function staleness(
  last: GauntletRun | undefined,
  current: {
    checkVersions: Record<string, string>;
    configSha256: string;
    entitySha256: string;
    now: Date;
    maxAgeMs: number;
  },
): string | undefined {
  if (!last) return 'never checked';
  const changed = Object.entries(current.checkVersions)
    .filter(([id, v]) => last.checkVersions?.[id] !== v)
    .map(([id, v]) => `${id} ${last.checkVersions?.[id] ?? 'new'} -> ${v}`);
  if (changed.length > 0) return `check rules changed: ${changed.join(', ')}`;
  if (last.inputs?.configSha256 !== current.configSha256)
    return 'gauntlet policy (config) changed';
  if (last.inputs?.entitySha256 !== current.entitySha256)
    return 'model entity changed';
  const finished = last.finishedAt ? Date.parse(last.finishedAt) : 0;
  if (current.now.getTime() - finished > current.maxAgeMs) {
    return `results older than ${Math.round(
      current.maxAgeMs / 86_400_000,
    )} days`;
  }
  return undefined;
}
