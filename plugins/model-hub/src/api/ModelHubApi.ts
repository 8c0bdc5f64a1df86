import { createApiRef } from '@backstage/core-plugin-api';
import { ModelTier, ModelVersion } from '@internal/plugin-model-hub-common';

/** How urgent an open stewardship task is. */
export type StewardshipTaskSeverity = 'critical' | 'high' | 'medium' | 'low';

/**
 * One open stewardship task, as planned for
 * `GET /v1/stewardship/tasks?owner=group:default/x` (not served yet).
 */
export interface StewardshipTask {
  id: string;
  /** What kind of work this is, e.g. `re-run-gauntlet`, `pick-successor`. */
  kind: string;
  /** The entity the task is about, e.g. `model:default/support-assistant`. */
  entityRef: string;
  /** Entity ref of the user or group expected to act. */
  assignee: string;
  severity: StewardshipTaskSeverity;
  dueAt?: string;
  openedAt: string;
  title: string;
  description: string;
}

/**
 * Result of asking for stewardship tasks: `available: false` when the
 * backend does not serve the stewardship route (yet).
 */
export type StewardshipTasksResult =
  | { available: true; items: StewardshipTask[] }
  | { available: false };

/*
 * Gauntlet wire types, mirroring `plugins/model-hub-backend/src/gauntlet/types.ts`
 * (the backend does not export them through the common package yet).
 */

/** Outcome of one gauntlet check. */
export type GauntletCheckStatus =
  | 'pass'
  | 'warn'
  | 'fail'
  | 'error'
  | 'not-applicable';

/** Overall gauntlet outcome for a model. */
export type GauntletStatus = 'passed' | 'failed' | 'pending' | 'not-run';

/** One stored check result. */
export interface GauntletResult {
  id: number;
  runId: number;
  entityRef: string;
  version: string;
  tier: ModelTier;
  checkId: string;
  checkVersion: string;
  status: GauntletCheckStatus;
  summary: string;
  reason?: string;
  /** JSON evidence the check recorded (structure depends on the check). */
  evidence: Record<string, unknown>;
  metrics?: Record<string, number>;
  configSha256: string;
  inputsSha256: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

/** One gauntlet run: a model version checked for one tier. */
export interface GauntletRun {
  id: number;
  entityRef: string;
  version: string;
  tier: ModelTier;
  trigger: 'sealed' | 'manual' | 'scheduled';
  triggerReason?: string;
  requestedBy?: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  attempts: number;
  queuedAt: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  checkVersions?: Record<string, string>;
  error?: string;
  results?: GauntletResult[];
}

/** An owner's request to be granted a tier, with the governance decision. */
export interface GauntletPromotionRequest {
  id: number;
  entityRef: string;
  tier: ModelTier;
  state: 'pending' | 'approved' | 'rejected';
  comment?: string;
  requestedBy: string;
  requestedAt: string;
  decidedBy?: string;
  decidedAt?: string;
  decisionComment?: string;
}

/** A governance waiver of one check. */
export interface GauntletWaiver {
  id: number;
  entityRef: string;
  checkId: string;
  /** Limited to this version; absent for every version. */
  version?: string;
  reason: string;
  approvedBy: string;
  createdAt: string;
  expiresAt: string;
  /** Whether it counts now (not expired). */
  active: boolean;
}

/** How one required check of a tier gate came out. */
export interface GauntletGateCheckOutcome {
  checkId: string;
  allowed: GauntletCheckStatus[];
  status: GauntletCheckStatus | 'missing';
  waived?: {
    waiverId: number;
    reason: string;
    approvedBy: string;
    expiresAt: string;
  };
  passed: boolean;
  summary?: string;
}

/** A tier gate evaluated for one version. */
export interface GauntletGateEvaluation {
  tier: ModelTier;
  passed: boolean;
  checks: GauntletGateCheckOutcome[];
  approved?: boolean;
  failures: string[];
}

/** Body of `GET /v1/models/:namespace/:name/gauntlet`. */
export interface ModelGauntlet {
  entityRef: string;
  requestedTier: ModelTier;
  /** The tier earned; null when none. */
  effectiveTier: ModelTier | null;
  reason: string;
  status: GauntletStatus;
  /** The latest sealed version the decision is about. */
  version: string | null;
  gates: GauntletGateEvaluation[];
  /** Latest result per check, for the requested tier. */
  checks: GauntletResult[];
  activeRuns: GauntletRun[];
  approvals: GauntletPromotionRequest[];
  waivers: GauntletWaiver[];
}

/**
 * Result of asking for a model's gauntlet state: `available: false` when the
 * backend answers 404 (no gauntlet route, or the model is unknown to it).
 */
export type ModelGauntletResult =
  | { available: true; gauntlet: ModelGauntlet }
  | { available: false };

/** What the Model Hub front end needs from the Model Hub backend. */
export interface ModelHubApi {
  /** Lists the versions of a Model entity, files and scan results included. */
  listVersions(entityRef: string): Promise<ModelVersion[]>;
  /** The absolute URL a file of a version is downloaded from. */
  getFileDownloadUrl(
    entityRef: string,
    versionOrAlias: string,
    path: string,
  ): Promise<string>;
  /** Open stewardship tasks of an owner (a group or user entity ref). */
  getTasks(options: { owner: string }): Promise<StewardshipTasksResult>;
  /** Gauntlet state of a model: tiers, latest result per check, waivers, approvals. */
  getGauntlet(entityRef: string): Promise<ModelGauntletResult>;
  /** Gauntlet run history of one version of a model, newest first as served. */
  getGauntletRuns(entityRef: string, version: string): Promise<GauntletRun[]>;
}

/** API reference for the {@link ModelHubApi}. */
export const modelHubApiRef = createApiRef<ModelHubApi>({
  id: 'plugin.model-hub.service',
});
