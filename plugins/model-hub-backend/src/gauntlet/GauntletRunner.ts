import { hostname } from 'node:os';
import {
  AuditorService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { isError, NotFoundError } from '@backstage/errors';
import { isModelEntity, ModelVersion } from '@internal/plugin-model-hub-common';
import { GauntletCatalog, GauntletVersionSource } from './catalogAccess';
import { GauntletConfig } from './config';
import { GauntletRefresher } from './GauntletRefresher';
import { GauntletStore } from './GauntletStore';
import { GauntletCheck } from './nodeApi';
import { LeaseHeartbeat, startLeaseHeartbeat } from './leaseHeartbeat';
import { LostSeal } from './LostSealStore';
import { RunExecutor } from './RunExecutor';
import { GauntletScanFreshness } from './scanFreshness';
import { requestedTierOf } from './runInputs';
import { ModelCache } from '../database/ModelCache';
import { GauntletEvaluation, TierEvaluator } from './TierEvaluator';
import { tierChain } from './tiers';
import { GauntletRun, GauntletRunTrigger } from './types';

export { gauntletCatalogFromService } from './catalogAccess';
export type { GauntletCatalog, GauntletVersionSource } from './catalogAccess';
export { entitySha256, filesSha256, requestedTierOf } from './runInputs';
export { staleness } from './staleness';
export type { GauntletEvaluation } from './TierEvaluator';

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
  /** The gauntlet GET's cached evaluations (see {@link TierEvaluator}). */
  answerCache?: ModelCache<GauntletEvaluation>;
  /** Which stored verdicts are an older scanner's (see {@link RunExecutor}). */
  scans?: GauntletScanFreshness;
}

/** How far back recovery looks for seals whose runs were never queued. */
const LOST_SEAL_LOOKBACK_MS = 24 * 60 * 60 * 1000;
/** At most this many lost seals are queued per recovery pass. */
const LOST_SEAL_BATCH = 100;
/** Longest a failing lost seal waits before the sweep tries it again. */
const LOST_SEAL_MAX_BACKOFF_MS = 6 * 60 * 60 * 1000;
/** A seal's own enqueue gets at least this long before it counts as lost. */
const LOST_SEAL_GRACE_FLOOR_MS = 1000;

/**
 * Runs the gauntlet: enqueues runs (on seal, on demand, on a schedule when
 * policy, rules or inputs changed or results got old), claims them from the
 * database queue so each executes once across replicas, has them executed
 * and stored, and records the effective tier.
 */
export class GauntletRunner {
  readonly #store: GauntletStore;
  readonly #checks: GauntletCheck[];
  readonly #catalog: GauntletCatalog;
  readonly #gc: GauntletConfig;
  readonly #logger: LoggerService;
  readonly #runnerId: string;
  readonly #clock: () => Date;
  readonly #executor: RunExecutor;
  readonly #evaluator: TierEvaluator;
  readonly #auditor?: AuditorService;
  readonly #refresher: GauntletRefresher;
  #draining: Promise<number> | undefined;
  #stopped = false;
  readonly #heartbeats = new Set<LeaseHeartbeat>();

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
    this.#catalog = options.catalog;
    this.#gc = options.gauntletConfig;
    this.#logger = options.logger;
    this.#auditor = options.auditor;
    this.#runnerId = options.runnerId ?? `${hostname()}:${process.pid}`;
    this.#clock = options.clock ?? (() => new Date());
    const clock = this.#clock;
    this.#executor = new RunExecutor({ ...options, clock });
    this.#evaluator = new TierEvaluator({ ...options, clock });
    this.#refresher = new GauntletRefresher({
      ...options,
      evaluator: this.#evaluator,
      clock,
    });
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
   * the database claim keeps each run to one replica) and recovers runs
   * whose lease expired (`scope: 'local'` too: recovery is two conditional
   * updates, safe to repeat, and a replica killed while holding a global
   * lock would otherwise stall recovery for the whole cluster until the
   * scheduler's lock timed out); one replica at a time re-checks models
   * whose results are outdated (`scope: 'global'`).
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
      id: 'model-hub-gauntlet-recovery',
      scope: 'local',
      frequency: { seconds: Math.ceil(this.#gc.leaseSeconds / 2) },
      timeout: { seconds: Math.max(30, this.#gc.leaseSeconds) },
      initialDelay: { seconds: 1 },
      fn: async () => {
        await this.recoverExpiredLeases();
      },
    });
    // A recovery path for a rare crash, not a queue: once a minute is plenty
    // (it reads one day of seals through the (state, sealed_at) index).
    await scheduler.scheduleTask({
      id: 'model-hub-gauntlet-lost-seals',
      scope: 'local',
      frequency: { seconds: this.#gc.lostSealSweepSeconds },
      timeout: { seconds: Math.max(30, this.#gc.lostSealSweepSeconds) },
      initialDelay: { seconds: 1 },
      fn: async () => {
        await this.recoverLostSeals();
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
          while (!this.#stopped && (await this.processNext())) n++;
        } finally {
          this.#draining = undefined;
        }
        return n;
      })();
    }
    return this.#draining;
  }

  /**
   * Both recovery paths at once: {@link GauntletRunner.recoverExpiredLeases}
   * and {@link GauntletRunner.recoverLostSeals} (the schedule runs them on
   * their own periods).
   */
  async recover(): Promise<{
    requeued: number;
    failed: number;
    lostSeals: number;
  }> {
    const recovered = await this.recoverExpiredLeases();
    return { ...recovered, lostSeals: await this.recoverLostSeals() };
  }

  /**
   * Puts runs whose runner died (lease expired) back in the queue once, and
   * fails them on the second expiry; scheduled on every replica (the
   * updates only match runs still expired, so concurrent calls are safe).
   */
  async recoverExpiredLeases(): Promise<{ requeued: number; failed: number }> {
    const now = this.#clock();
    const leaseMs = this.#gc.leaseSeconds * 1000;
    const recovered = await this.#store.recoverExpired(
      now,
      leaseMs,
      this.#gc.maxAttempts,
    );
    if (recovered.requeued || recovered.failed) {
      this.#logger.warn(
        `Gauntlet recovery: ${recovered.requeued} run(s) re-queued, ${recovered.failed} failed after expired leases`,
      );
    }
    return recovered;
  }

  /**
   * Queues the runs of versions sealed without any: the sealing replica
   * stopped between committing the seal and {@link onVersionSealed}. A seal
   * gets one lease to queue its own runs before this counts it as lost; the
   * enqueue is the seal's own (trigger `sealed`), which reuses any run that
   * appeared meanwhile, so a late original and this never make two. Looks
   * back one day: older versions without runs are the refresh's concern. A
   * seal whose card was deleted is given up (the refresh queues it if the
   * card comes back); other failures are retried with a doubling back-off.
   * Returns how many seals it queued.
   */
  async recoverLostSeals(): Promise<number> {
    const now = this.#clock();
    const lost = await this.#store.sealedWithoutRuns(
      new Date(now.getTime() - LOST_SEAL_LOOKBACK_MS),
      new Date(
        now.getTime() -
          Math.max(LOST_SEAL_GRACE_FLOOR_MS, this.#gc.leaseSeconds * 1000),
      ),
      LOST_SEAL_BATCH,
      now,
    );
    let queued = 0;
    for (const seal of lost) {
      try {
        await this.enqueue(seal.entityRef, seal.version, 'sealed', {
          reason: `version ${seal.version} sealed; its runs were not queued (the sealing replica stopped)`,
        });
        queued += 1;
      } catch (e) {
        await this.#putOffLostSeal(seal, now, e);
      }
    }
    if (queued > 0) {
      this.#logger.warn(
        `Gauntlet recovery: queued the runs of ${queued} version(s) sealed without any`,
      );
      void this.drain().catch(e =>
        this.#logger.error(`Gauntlet drain after recovery failed: ${e}`),
      );
    }
    return queued;
  }

  async #putOffLostSeal(seal: LostSeal, now: Date, error: unknown) {
    const message = isError(error) ? error.message : String(error);
    const gone = isError(error) && error.name === 'NotFoundError';
    const sweepMs = this.#gc.lostSealSweepSeconds * 1000;
    try {
      const attempts = await this.#store.lostSeals.putOff(
        seal,
        message,
        n =>
          new Date(
            now.getTime() +
              (gone
                ? LOST_SEAL_LOOKBACK_MS
                : Math.min(LOST_SEAL_MAX_BACKOFF_MS, sweepMs * 2 ** (n - 1))),
          ),
      );
      this.#logger.warn(
        `Gauntlet recovery could not queue ${seal.entityRef}@${
          seal.version
        }: ${message}; ${
          gone
            ? 'not retried (the refresh queues it if its card comes back)'
            : `attempt ${attempts}, retried later`
        }`,
      );
    } catch (e) {
      this.#logger.warn(
        `Gauntlet recovery could not queue ${seal.entityRef}@${seal.version} (${message}) nor record it: ${e}`,
      );
    }
  }

  /**
   * Stops this runner (backend shutdown): no new claims, heartbeats stop,
   * and runs still executing store nothing; their leases expire and another
   * replica's recovery re-queues them.
   */
  stop(): void {
    this.#stopped = true;
    for (const heartbeat of this.#heartbeats) heartbeat.stop();
    this.#heartbeats.clear();
  }

  /** Claims and executes one run; false when the queue is empty. */
  async processNext(): Promise<boolean> {
    if (this.#stopped) return false;
    const leaseMs = this.#gc.leaseSeconds * 1000;
    const run = await this.#store.claimNext(
      this.#runnerId,
      this.#clock(),
      leaseMs,
    );
    if (!run) return false;
    const token = run.claimToken;
    const heartbeat = startLeaseHeartbeat({
      store: this.#store,
      runId: run.id,
      claimToken: token,
      leaseMs,
      clock: this.#clock,
      logger: this.#logger,
    });
    this.#heartbeats.add(heartbeat);
    try {
      const { entity, inputs, results } = await this.#executor.execute(run);
      if (this.#stopped) return false;
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
        return true;
      }
      this.#logger.info(
        `Gauntlet run ${run.id} of ${run.entityRef}@${run.version} (${
          run.tier
        }): ${results.map(r => `${r.checkId}=${r.result.status}`).join(' ')}`,
      );
      await this.#auditFinished(run, results);
      await this.updateTier(entity);
    } catch (e) {
      if (this.#stopped) return false;
      const message = (e as Error).message ?? String(e);
      this.#logger.error(
        `Gauntlet run ${run.id} of ${run.entityRef}@${run.version} failed: ${message}`,
      );
      await this.#store.failRun(run.id, token, message, this.#clock());
    } finally {
      heartbeat.stop();
      this.#heartbeats.delete(heartbeat);
    }
    return true;
  }

  /** The latest sealed version of a model, if any. */
  latestSealedVersion(entityRef: string): Promise<ModelVersion | undefined> {
    return this.#evaluator.latestSealedVersion(entityRef);
  }

  /** Computes the gauntlet state of a model for its latest sealed version. */
  evaluate(
    entity: Entity,
    options?: { cached?: boolean },
  ): Promise<GauntletEvaluation> {
    return this.#evaluator.evaluate(entity, options);
  }

  /** Audits a finished run with its verdict (outbound `gauntlet.finished` hangs off it). */
  async #auditFinished(
    run: {
      id: number | string;
      entityRef: string;
      version: string;
      tier: string;
    },
    results: Array<{ checkId: string; result: { status: string } }>,
  ) {
    if (!this.#auditor) return;
    const failed = results.some(
      r => r.result.status === 'fail' || r.result.status === 'error',
    );
    const event = await this.#auditor.createEvent({
      eventId: 'gauntlet-run-finished',
      severityLevel: 'low',
      meta: {
        entityRef: run.entityRef,
        version: run.version,
        runId: String(run.id),
        tier: run.tier,
        verdict: failed ? 'failed' : 'passed',
        checks: Object.fromEntries(
          results.map(r => [r.checkId, r.result.status]),
        ),
      },
    });
    await event.success();
  }

  /**
   * Recomputes and stores the effective tier of a model (audited on change).
   * The caches hear of what changed through the tables' change events.
   */
  async updateTier(entity: Entity): Promise<GauntletEvaluation> {
    return this.#evaluator.updateTier(entity);
  }

  /** The scheduled refresh (see {@link GauntletRefresher.refresh}). */
  refresh(): Promise<GauntletRun[]> {
    return this.#refresher.refresh();
  }
}
