import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import type {
  ModelEntityV1alpha1,
  StewardshipConditionKind,
  StewardshipSeverity,
} from '@internal/plugin-model-hub-common';

// The wire vocabulary lives in model-hub-common; re-exported for the rules' users.
export type { StewardshipConditionKind, StewardshipSeverity };

/**
 * The JSON object type of {@link StewardshipCondition.details} (an alias of
 * `JsonObject` from `@backstage/types`, kept for code that imports it by this name).
 */
export type StewardshipJsonObject = JsonObject;

/**
 * Read access to the parts of the software catalog the stewardship rules
 * need: groups, users and components with their relations. Refs passed in
 * may be in any case; implementations compare them case-insensitively.
 * {@link createStewardshipCatalog} builds one from a list of entities.
 */
export interface StewardshipCatalog {
  /** The entity with this full ref (`kind:namespace/name`), if present. */
  getEntity(ref: string): Entity | undefined;
  /**
   * Every User entity that is a member of the group: through the user's
   * `memberOf` relation or `spec.memberOf`, or the group's `hasMember`
   * relation or `spec.members`. Departed users are included; the rules
   * filter them with {@link isDepartedUser}.
   */
  getGroupMembers(groupRef: string): Entity[];
  /**
   * Every Component that depends on the entity: through the component's
   * `dependsOn` relation or `spec.dependsOn`, or the entity's own
   * `dependencyOf` relation.
   */
  getDependentComponents(ref: string): Entity[];
}

/**
 * What the hub knows about recent activity on one model. Missing fields mean
 * "never" (or "not known").
 */
export interface ModelActivity {
  /** When the latest version of the model was published. */
  lastVersionAt?: Date;
  /** When the model's metadata (the entity / model card) last changed. */
  lastMetadataChangeAt?: Date;
  /** When any version of the model was last pulled (downloaded). */
  lastPullAt?: Date;
}

/** Outcome of one gauntlet check. */
export type ComplianceCheckStatus =
  | 'pass'
  | 'warn'
  | 'fail'
  | 'error'
  | 'not-applicable';

/** The result of one gauntlet check on one version of a model. */
export interface ComplianceCheckResult {
  /** Stable id of the check, e.g. `license-allowed`. */
  id: string;
  /** The check's outcome. */
  status: ComplianceCheckStatus;
  /**
   * The model version the result is for. Results for any version other than
   * {@link ModelCompliance.currentVersion} are ignored; when omitted, the
   * result is taken to be for the current version.
   */
  version?: string;
  /** Human-readable name of the check, used in task titles. */
  title?: string;
  /** Why the check came out as it did, copied into the task. */
  message?: string;
}

/** A time-limited exemption from one gauntlet check. */
export interface ComplianceWaiver {
  /** Id of the waived check. */
  checkId: string;
  /** When the waiver stops applying; a waiver is active while `now < expiresAt`. */
  expiresAt: Date;
  /** Why the waiver was granted. */
  reason?: string;
}

/** The compliance state of one model: its latest gauntlet results and waivers. */
export interface ModelCompliance {
  /** The model's current version (the one consumers get by default). */
  currentVersion?: string;
  /** Gauntlet check results, normally those of the current version. */
  checks: ComplianceCheckResult[];
  /** Waivers granted for the model, active or not. */
  waivers: ComplianceWaiver[];
}

/**
 * A snapshot of everything the stewardship rules look at, taken at one
 * instant. Maps keyed by model ref accept refs in any case
 * (`model:default/foo`), but each model may appear only once.
 */
export interface StewardshipInput {
  /** The evaluation instant; the rules never read the system clock. */
  now: Date;
  /** Every Model entity to evaluate (also used to resolve successors). */
  models: ModelEntityV1alpha1[];
  /** Groups, users and components, with their relations. */
  catalog: StewardshipCatalog;
  /** Activity per model ref; a model without an entry has no recorded activity. */
  activity?: Record<string, ModelActivity>;
  /** Compliance state per model ref; a model without an entry has no checks run yet. */
  compliance?: Record<string, ModelCompliance>;
}

/** Severities from most to least urgent. */
export const STEWARDSHIP_SEVERITIES: readonly StewardshipSeverity[] = [
  'critical',
  'high',
  'medium',
  'low',
];

/**
 * Something about a model that needs a human: the rules engine's output. A
 * task store keeps one open task per {@link StewardshipCondition.dedupKey}
 * and closes it when the condition no longer comes out of the rules.
 */
export interface StewardshipCondition {
  /** What kind of problem this is. */
  kind: StewardshipConditionKind;
  /** Normalized ref of the model concerned, e.g. `model:default/churn-predictor`. */
  modelRef: string;
  /**
   * Normalized ref of who must act: normally a group; the governance group
   * when the responsible group cannot be resolved; a user only when a
   * consuming component is owned by a user.
   */
  assignee: string;
  /** How urgent the condition is. */
  severity: StewardshipSeverity;
  /** When it must be done by, if there is a deadline. */
  dueAt?: Date;
  /** One-line summary for lists and notifications. */
  title: string;
  /** What is wrong and what to do about it (names the successor, etc.). */
  description: string;
  /**
   * Stable identity: `kind|modelRef|assignee` plus `|discriminator` where a
   * model can have several conditions of one kind (the check id, the
   * consuming component, ...). The same situation always yields the same key.
   */
  dedupKey: string;
  /** Machine-readable facts behind the condition (refs, dates as ISO strings). */
  details: JsonObject;
}
