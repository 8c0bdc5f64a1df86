import {
  AuthService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  isModelEntity,
  ModelEntityV1alpha1,
  ModelLifecycle,
} from '@internal/plugin-model-hub-common';
import {
  assessStaleness,
  createStewardshipCatalog,
  diffTasks,
  digestByTeam,
  effectiveLifecycle,
  evaluateStewardship,
  ModelActivity,
  StewardshipConfig,
} from './rules';
import { ComplianceSource, ModelActivitySource } from './sources';
import { StewardshipNotifier } from './notifier';
import { DEFAULT_GROUP_OPENED_ABOVE, notifyOpenedTasks } from './notifyOpened';
import { StewardshipTaskStore } from './StewardshipTaskStore';
import { StewardshipTask, StewardshipTaskCounts } from './types';
import {
  applyModelOverrides,
  StewardshipOverridesSource,
  withoutSuppressed,
} from './applyOverrides';

/** The catalog kinds the rules look at. */
const STEWARDSHIP_KINDS = ['Model', 'Group', 'User', 'Component'];
const PAGE_SIZE = 500;

/** Digest settings of {@link StewardshipEngine}. */
export interface StewardshipDigestOptions {
  /** Send daily digests at all (default true). */
  enabled?: boolean;
  /** UTC hour from which the day's digest may go out (default 8). */
  hourUtc?: number;
  /** Skip teams without tasks opened since their previous digest (default false). */
  onlyWithNewTasks?: boolean;
}

/** Dependencies and settings of {@link StewardshipEngine}. */
export interface StewardshipEngineOptions {
  /** Reads the catalog, with the plugin's own service credentials. */
  catalog: CatalogService;
  auth: AuthService;
  store: StewardshipTaskStore;
  logger: LoggerService;
  /** The rules' settings (see `readStewardshipConfig`). */
  config: StewardshipConfig;
  /** Activity per model (e.g. versions published); none means "no activity known". */
  activity?: ModelActivitySource;
  /** Gauntlet results and waivers; none means no compliance tasks. */
  compliance?: ComplianceSource;
  /** Tells assignees about opened tasks and sends digests; none means silence. */
  notifier?: StewardshipNotifier;
  /** Announce each opened task through the notifier (default true). */
  notifyOpenedTasks?: boolean;
  /** An assignee with more opened tasks than this in one run gets one grouped notification (default 3). */
  groupOpenedAbove?: number;
  /** Digest settings. */
  digest?: StewardshipDigestOptions;
  /** The clock (default: the system clock). */
  clock?: () => Date;
  /** Steward overrides, hub archives, snoozes and waivers to honour. */
  overrides?: StewardshipOverridesSource;
}

/** What one evaluation did. */
export interface StewardshipRunSummary {
  /** The evaluation instant. */
  at: string;
  /** Models evaluated. */
  models: number;
  /** Conditions the rules produced. */
  conditions: number;
  /** Tasks opened, refreshed, closed, left as they were. */
  opened: number;
  updated: number;
  closed: number;
  unchanged: number;
  /** Opened tasks announced (and marked), and how many failed (retried next run). */
  notified: number;
  notificationFailures: number;
  /** Opened-task notifications sent (a grouped one counts once). */
  notificationsSent: number;
  /** Digests sent. */
  digests: number;
}

/** How a model's lifecycle is seen by stewardship (for the UI and the catalog). */
export interface ModelLifecycleView {
  /** Normalized model ref. */
  entityRef: string;
  /** `spec.lifecycle` as declared. */
  declaredLifecycle: ModelLifecycle;
  /** `archived` when declared so or stale, otherwise the declared lifecycle. */
  effectiveLifecycle: ModelLifecycle;
  /** Staleness: `unknown`, `active`, `warning` or `stale`. */
  staleness: string;
  /** Latest known activity. */
  lastActivityAt?: string;
  /** When the model counts (or counted) as archived for inactivity. */
  archiveAt?: string;
  /** When the stale warning opens (or opened). */
  warnFrom?: string;
}

function normalizedRef(entity: Entity): string {
  return stringifyEntityRef(entity).toLocaleLowerCase('en-US');
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * Evaluates the stewardship rules over the whole catalog and brings the task
 * store in line: opens a task per new condition, refreshes changed ones,
 * closes those whose condition cleared (keeping them as history), announces
 * opened tasks and sends each team at most one digest a day. Runs are
 * serialized within a process; across replicas the scheduler runs one at a
 * time and the store's unique open key prevents duplicates regardless.
 */
export class StewardshipEngine {
  readonly #options: StewardshipEngineOptions;
  readonly #clock: () => Date;
  #queue: Promise<unknown> = Promise.resolve();

  /** Wires the engine to the catalog, its store and its sources. */
  constructor(options: StewardshipEngineOptions) {
    this.#options = options;
    this.#clock = options.clock ?? (() => new Date());
  }

  /** Evaluates every model now and applies the result to the task store. */
  run(): Promise<StewardshipRunSummary> {
    const next = this.#queue.then(() => this.#run());
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /**
   * The effective lifecycle of models as the caller sees them in the
   * catalog: every model, or only `entityRef` when given.
   */
  async listLifecycles(options: {
    credentials: BackstageCredentials;
    entityRef?: string;
  }): Promise<ModelLifecycleView[]> {
    const now = this.#clock();
    let models: ModelEntityV1alpha1[];
    if (options.entityRef) {
      const entity = await this.#options.catalog.getEntityByRef(
        options.entityRef,
        { credentials: options.credentials },
      );
      models = entity && isModelEntity(entity) ? [entity] : [];
    } else {
      models = (await this.#readCatalog(options.credentials, ['Model'])).filter(
        isModelEntity,
      );
    }
    const refs = models.map(normalizedRef);
    models = applyModelOverrides(
      models,
      refs,
      await this.#options.overrides?.state(now),
    );
    const activity = await this.#activity(refs);
    return models
      .map((model, index) => {
        const modelActivity = activity[refs[index]];
        const staleness = assessStaleness(
          model,
          modelActivity,
          now,
          this.#options.config,
        );
        const view: ModelLifecycleView = {
          entityRef: refs[index],
          declaredLifecycle: model.spec.lifecycle,
          effectiveLifecycle: effectiveLifecycle(
            model,
            modelActivity,
            now,
            this.#options.config,
          ),
          staleness: staleness.state,
        };
        if (staleness.lastActivityAt) {
          view.lastActivityAt = staleness.lastActivityAt.toISOString();
        }
        if (staleness.archiveAt) {
          view.archiveAt = staleness.archiveAt.toISOString();
        }
        if (staleness.warnFrom) {
          view.warnFrom = staleness.warnFrom.toISOString();
        }
        return view;
      })
      .sort((a, b) => a.entityRef.localeCompare(b.entityRef));
  }

  async #run(): Promise<StewardshipRunSummary> {
    const { store, logger, config } = this.#options;
    const now = this.#clock();
    const credentials = await this.#options.auth.getOwnServiceCredentials();
    const entities = await this.#readCatalog(credentials, STEWARDSHIP_KINDS);
    const models: ModelEntityV1alpha1[] = [];
    const others: Entity[] = [];
    for (const entity of entities) {
      if (entity.kind.toLocaleLowerCase('en-US') !== 'model') {
        others.push(entity);
      } else if (isModelEntity(entity)) {
        models.push(entity);
      } else {
        logger.warn(
          `Stewardship skips ${normalizedRef(
            entity,
          )}: not a ${'modelhub.io'} Model entity (apiVersion ${
            entity.apiVersion
          })`,
        );
      }
    }
    const modelRefs = models.map(normalizedRef);
    // What people decided in the hub: stewards named, models archived,
    // conditions snoozed or waived.
    const overrides = await this.#options.overrides?.state(now);
    models.splice(
      0,
      models.length,
      ...applyModelOverrides(models, modelRefs, overrides),
    );
    const activity = await this.#activity(modelRefs);
    const compliance = this.#options.compliance
      ? await this.#options.compliance.getCompliance(models, { now })
      : undefined;

    const conditions = withoutSuppressed(
      evaluateStewardship(
        {
          now,
          models,
          catalog: createStewardshipCatalog([...models, ...others]),
          activity,
          compliance,
        },
        config,
      ),
      overrides,
    );

    const diff = diffTasks(await store.listOpenTasks(), conditions);
    const known = new Map(models.map((m, i) => [modelRefs[i], m]));
    let closed = 0;
    for (const { task, reason } of diff.toClose) {
      const model = known.get(task.modelRef);
      let why: string = reason;
      const decided =
        overrides?.suppressed.get(task.dedupKey) ??
        overrides?.archived.get(task.modelRef);
      if (reason === 'condition cleared' && decided) {
        why = decided;
      } else if (reason === 'condition cleared' && !model) {
        why = 'model no longer in the catalog';
      } else if (
        reason === 'condition cleared' &&
        model?.spec.lifecycle === 'archived'
      ) {
        why = 'model archived';
      }
      if (await store.closeTask(task.id, why, now)) closed += 1;
    }
    for (const { task, condition } of diff.toUpdate) {
      await store.updateTask(task.id, condition, now);
    }
    let opened = 0;
    for (const condition of diff.toOpen) {
      if (await store.openTask(condition, now)) opened += 1;
    }

    const { notified, notificationFailures, notificationsSent } =
      await this.#notifyOpened(now);
    const digests = await this.#sendDigests(now);

    const summary: StewardshipRunSummary = {
      at: now.toISOString(),
      models: models.length,
      conditions: conditions.length,
      opened,
      updated: diff.toUpdate.length,
      closed,
      unchanged: diff.unchanged.length,
      notified,
      notificationFailures,
      notificationsSent,
      digests,
    };
    logger.info(
      `Stewardship evaluated ${summary.models} models: ${summary.conditions} conditions, ` +
        `${opened} tasks opened, ${summary.updated} updated, ${closed} closed, ` +
        `${notified} notified in ${notificationsSent} notifications, ${digests} digests`,
    );
    return summary;
  }

  async #readCatalog(
    credentials: BackstageCredentials,
    kinds: string[],
  ): Promise<Entity[]> {
    const entities: Entity[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#options.catalog.queryEntities(
        cursor
          ? { cursor, limit: PAGE_SIZE }
          : { filter: { kind: kinds }, limit: PAGE_SIZE },
        { credentials },
      );
      entities.push(...page.items);
      cursor = page.pageInfo.nextCursor;
    } while (cursor);
    return entities;
  }

  async #activity(refs: string[]): Promise<Record<string, ModelActivity>> {
    if (!this.#options.activity || refs.length === 0) {
      return {};
    }
    const all = await this.#options.activity.getActivity(refs);
    const wanted = new Set(refs);
    return Object.fromEntries(
      Object.entries(all).filter(([ref]) => wanted.has(ref)),
    );
  }

  async #notifyOpened(now: Date) {
    const { notifier, store, logger } = this.#options;
    if (!notifier || this.#options.notifyOpenedTasks === false) {
      return { notified: 0, notificationFailures: 0, notificationsSent: 0 };
    }
    return notifyOpenedTasks({
      notifier,
      store,
      logger,
      now,
      groupAbove: this.#options.groupOpenedAbove ?? DEFAULT_GROUP_OPENED_ABOVE,
    });
  }

  async #sendDigests(now: Date): Promise<number> {
    const { notifier, store, logger } = this.#options;
    const digest = this.#options.digest ?? {};
    if (
      !notifier ||
      digest.enabled === false ||
      now.getUTCHours() < (digest.hourUtc ?? 8)
    ) {
      return 0;
    }
    const openTasks = await store.listTasks({ state: 'open' });
    const byId = new Map(openTasks.map(t => [t.id, t]));
    const plan = digestByTeam(await store.listOpenTasks(), {
      now,
      lastDigestAt: await store.getLastDigests(),
      onlyWithNewTasks: digest.onlyWithNewTasks ?? false,
    });
    let sent = 0;
    for (const team of plan.digests) {
      if (!(await store.claimDigest(team.assignee, now))) {
        continue;
      }
      const tasks = team.tasks
        .map(t => byId.get(t.id))
        .filter((t): t is StewardshipTask => t !== undefined);
      const counts: StewardshipTaskCounts = {
        ...team.counts,
        total: tasks.length,
      };
      try {
        await notifier.digest({
          assignee: team.assignee,
          day: utcDay(now),
          tasks,
          counts,
          newTasks: team.newTasks,
          previousDigestAt: team.previousDigestAt,
        });
        sent += 1;
      } catch (error) {
        logger.warn(
          `Could not send the stewardship digest to ${team.assignee}: ${error}`,
        );
        await store.releaseDigest(team.assignee, now, team.previousDigestAt);
      }
    }
    return sent;
  }
}
