import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { ApprovalStore } from './ApprovalStore';
import { DecisionReader } from './DecisionReader';
import { LostSealStore } from './LostSealStore';
import { PromotionStore } from './PromotionStore';
import { ResultStore } from './ResultStore';
import { RunQueueStore } from './RunQueueStore';
import { TierStore } from './TierStore';
import { WaiverStore } from './WaiverStore';

export { toIso } from './storeTime';
export type { NewGauntletResult } from './ResultStore';
export type {
  ClaimedRun,
  GauntletRunInputs,
  NewGauntletRun,
} from './RunQueueStore';
export type { StoredTier } from './TierStore';
export type { ModelDecisions } from './DecisionReader';
export type {
  ApprovalBinding,
  ApprovalSubject,
  StoredApproval,
} from './ApprovalStore';
import { migrateModelHub } from '../database/migrate';

/**
 * The gauntlet's persistence, one store per concern over one database:
 * runs and their queue, check results, promotion requests, waivers and
 * effective tiers. The delegating methods keep the callers' single entry.
 */
export class GauntletStore {
  /** Runs and the work queue. */
  readonly runs: RunQueueStore;
  /** Check results. */
  readonly results: ResultStore;
  /** Promotion requests and decisions. */
  readonly promotions: PromotionStore;
  /** Waivers. */
  readonly waivers: WaiverStore;
  /** Stored effective tiers. */
  readonly tiers: TierStore;
  /** Four-eyes approvals of promotions and waivers. */
  readonly approvals: ApprovalStore;
  /** Seals whose runs were never queued, for the recovery sweep. */
  readonly lostSeals: LostSealStore;
  /** A model's promotions, waivers and approvals, read together. */
  readonly decisions: DecisionReader;

  /** Connects to the plugin database and runs the migrations (unless skipped). */
  static async create(options: {
    database: DatabaseService;
  }): Promise<GauntletStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await migrateModelHub(client);
    }
    return new GauntletStore(client);
  }

  /** Wraps an already migrated knex client (tests with several connections). */
  static fromClient(client: Knex): GauntletStore {
    return new GauntletStore(client);
  }

  private constructor(db: Knex) {
    this.results = new ResultStore(db);
    this.runs = new RunQueueStore(db, this.results);
    this.promotions = new PromotionStore(db);
    this.waivers = new WaiverStore(db);
    this.tiers = new TierStore(db);
    this.approvals = new ApprovalStore(db);
    this.lostSeals = new LostSealStore(db);
    this.decisions = new DecisionReader(db);
  }

  enqueue: RunQueueStore['enqueue'] = (...a) => this.runs.enqueue(...a);
  claimNext: RunQueueStore['claimNext'] = (...a) => this.runs.claimNext(...a);
  heartbeat: RunQueueStore['heartbeat'] = (...a) => this.runs.heartbeat(...a);
  recoverExpired: RunQueueStore['recoverExpired'] = (...a) =>
    this.runs.recoverExpired(...a);
  completeRun: RunQueueStore['completeRun'] = (...a) =>
    this.runs.completeRun(...a);
  failRun: RunQueueStore['failRun'] = (...a) => this.runs.failRun(...a);
  getRun: RunQueueStore['getRun'] = (...a) => this.runs.getRun(...a);
  listRuns: RunQueueStore['listRuns'] = (...a) => this.runs.listRuns(...a);
  activeRuns: RunQueueStore['activeRuns'] = (...a) =>
    this.runs.activeRuns(...a);
  newestRunId: RunQueueStore['newestRunId'] = (...a) =>
    this.runs.newestRunId(...a);
  sealedWithoutRuns: LostSealStore['sealedWithoutRuns'] = (...a) =>
    this.lostSeals.sealedWithoutRuns(...a);
  latestCompletedRun: RunQueueStore['latestCompletedRun'] = (...a) =>
    this.runs.latestCompletedRun(...a);
  latestResults: ResultStore['latest'] = (...a) => this.results.latest(...a);
  latestResultsOfTiers: ResultStore['latestOfTiers'] = (...a) =>
    this.results.latestOfTiers(...a);
  createPromotionRequest: PromotionStore['create'] = (...a) =>
    this.promotions.create(...a);
  decidePromotionRequest: PromotionStore['decide'] = (...a) =>
    this.promotions.decide(...a);
  listPromotionRequests: PromotionStore['list'] = (...a) =>
    this.promotions.list(...a);
  createWaiver: WaiverStore['create'] = (...a) => this.waivers.create(...a);
  listWaivers: WaiverStore['list'] = (...a) => this.waivers.list(...a);
  getTier: TierStore['get'] = (...a) => this.tiers.get(...a);
  setTier: TierStore['set'] = (...a) => this.tiers.set(...a);
}
