import { JsonObject } from '@backstage/types';
import { ModelTier } from '../entity';

/*
 * Wire types of the gauntlet API (`/api/model-hub/v1/.../gauntlet`,
 * promotion requests, waivers, effective tiers), shared by the backend that
 * serves them and the clients that read them.
 */

/**
 * The outcome of a check: `pass`; `warn` (passes, with something to look
 * at); `fail` (blocks the tier); `error` (the check could not run); or
 * `not-applicable` (the check does not apply to this model, with a reason).
 */
export type GauntletCheckStatus =
  | 'pass'
  | 'warn'
  | 'fail'
  | 'error'
  | 'not-applicable';

/** Why a run was started. */
export type GauntletRunTrigger = 'sealed' | 'manual' | 'scheduled';

/** State of a run (not of a check). */
export type GauntletRunStatus = 'queued' | 'running' | 'completed' | 'failed';

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
  evidence: JsonObject;
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
  trigger: GauntletRunTrigger;
  triggerReason?: string;
  requestedBy?: string;
  status: GauntletRunStatus;
  /** How many times a runner claimed the run (2 after one retry). */
  attempts: number;
  /** The runner (host:pid) holding the run's lease while it runs. */
  leaseOwner?: string;
  /** Until when the lease holds; the runner's heartbeat renews it. */
  leaseExpiresAt?: string;
  /** When an expired lease (a runner that died) put the run back in the queue. */
  retriedAt?: string;
  queuedAt: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  /** Input hashes: entity, files, config and all together. */
  inputs?: {
    entitySha256: string;
    filesSha256: string;
    configSha256: string;
    inputsSha256: string;
  };
  /** Check id → version of the checks run. */
  checkVersions?: Record<string, string>;
  error?: string;
  /** The results, when requested with the run. */
  results?: GauntletResult[];
}

/**
 * One governance member's approval of a promotion request or waiver, bound
 * to what they saw: the version, its manifest digest and the gauntlet run.
 * When any of those changes it is invalidated, and kept with the reason.
 */
export interface GauntletApproval {
  id: number;
  approver: string;
  version: string;
  /** SHA-256 of the sealed file list (path, size, sha256) of the version. */
  manifestSha256: string;
  /** The completed gauntlet run the approver saw. */
  runId: number;
  approvedAt: string;
  comment?: string;
  /** Set once the approval stopped counting. */
  invalidatedAt?: string;
  /** Why, e.g. `the gauntlet re-ran on 2026-12-06T10:00:00.000Z (run 7)`. */
  invalidatedReason?: string;
}

/** State of a promotion request; `withdrawn` by its requester, not decided by governance. */
export type PromotionRequestState =
  | 'pending'
  | 'approved'
  | 'rejected'
  | 'withdrawn';

/** An owner's request to be granted a tier, with the governance decision. */
export interface PromotionRequest {
  id: number;
  entityRef: string;
  tier: ModelTier;
  state: PromotionRequestState;
  comment?: string;
  requestedBy: string;
  requestedAt: string;
  /** The model's owner when it was requested; four-eyes refuses that team too. */
  requestedOwner?: string;
  decidedBy?: string;
  decidedAt?: string;
  decisionComment?: string;
  /** Approvals collected, valid and invalidated (history), oldest first. */
  approvals?: GauntletApproval[];
}

/** A governance waiver of one check. */
export interface GauntletWaiver {
  id: number;
  entityRef: string;
  checkId: string;
  /** Limited to this version; absent for every version. */
  version?: string;
  reason: string;
  /** The approver whose approval completed it; empty while pending. */
  approvedBy: string;
  createdAt: string;
  expiresAt: string;
  /** Whether it counts now (approved by enough valid approvals, not expired). */
  active: boolean;
  /** `pending` until enough distinct eligible approvers approved it. */
  state?: 'pending' | 'approved';
  /** Who asked for the waiver; never one of its approvers. */
  requestedBy?: string;
  /** The model's owner when it was asked for; four-eyes refuses that team too. */
  requestedOwner?: string;
  /** Approvals collected, valid and invalidated (history), oldest first. */
  approvals?: GauntletApproval[];
}

/** How one required check of a tier gate came out. */
export interface GateCheckOutcome {
  checkId: string;
  allowed: GauntletCheckStatus[];
  /** The latest result's status, or `missing` when the check has not run. */
  status: GauntletCheckStatus | 'missing';
  /** The check failed the gate but an active waiver accepts it. */
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
export interface GateEvaluation {
  tier: ModelTier;
  passed: boolean;
  checks: GateCheckOutcome[];
  /** Official only: whether a governance approval exists. */
  approved?: boolean;
  /** Human-readable reasons the gate does not pass. */
  failures: string[];
}

/**
 * The outcome of the gauntlet for a model: `passed` (the requested tier is
 * earned), `failed` (a required check failed), `pending` (results missing or
 * a run queued) or `not-run` (no sealed version).
 */
export type GauntletStatus = 'passed' | 'failed' | 'pending' | 'not-run';

/** Body of `GET /v1/models/:namespace/:name/gauntlet`. */
export interface ModelGauntletResponse {
  entityRef: string;
  requestedTier: ModelTier;
  /** The tier earned; null when none (unverified). */
  effectiveTier: ModelTier | null;
  reason: string;
  status: GauntletStatus;
  /** The latest sealed version the decision is about. */
  version: string | null;
  gates: GateEvaluation[];
  /** Latest result per check, for the requested tier. */
  checks: GauntletResult[];
  /** Runs queued or running for the version. */
  activeRuns: GauntletRun[];
  approvals: PromotionRequest[];
  waivers: GauntletWaiver[];
  /** Distinct eligible approvers a promotion or waiver needs (`modelHub.governance.requiredApprovals`). */
  requiredApprovals?: number;
}

/** One item of `GET /v1/gauntlet/effective-tiers`. */
export interface EffectiveTierItem {
  entityRef: string;
  requestedTier: ModelTier;
  effectiveTier: ModelTier | null;
  status: GauntletStatus;
  reason: string;
  version: string | null;
  /**
   * The annotations the catalog should set on the entity; the effective tier
   * annotation is absent when the model earned no tier.
   */
  annotations: Record<string, string>;
}
