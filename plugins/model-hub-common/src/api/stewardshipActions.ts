/*
 * Wire types of the stewardship action routes
 * (`/v1/stewardship/tasks/:id/{snooze,waiver,waiver/approve}`,
 * `/v1/stewardship/models/:namespace/:name/{steward,archive}`).
 */

/** A pending request to waive a task, as listed with the task. */
export interface StewardshipWaiverRequest {
  /** Who asked for the waiver. */
  requestedBy: string;
  /** When they asked. */
  requestedAt: string;
  /** Why the task should be waived. */
  reason: string;
  /** Until when the waiver would hold once approved. */
  until: string;
}

/** Body of `POST /v1/stewardship/tasks/:id/snooze`. */
export interface SnoozeTaskRequest {
  /** ISO date or date-time; the task reappears after it if still true. */
  until: string;
  /** Optional note kept with the snooze. */
  reason?: string;
}

/** Body of `POST /v1/stewardship/tasks/:id/waiver`. */
export interface WaiveTaskRequest {
  /** Why the condition may stand (required). */
  reason: string;
  /** ISO date or date-time until which the waiver holds. */
  until: string;
}

/** Body of `PUT /v1/stewardship/models/:namespace/:name/steward`. */
export interface ReassignStewardRequest {
  /** A User entity ref, e.g. `user:default/jane`. */
  steward: string;
}

/**
 * What the hub records about a model on top of its catalog entity
 * (`GET /v1/stewardship/models/:namespace/:name/overrides`).
 */
export interface ModelStewardshipOverrides {
  /** Normalized model ref. */
  entityRef: string;
  /** The steward named in the hub, which the hub uses instead of `spec.steward`. */
  steward?: { ref: string; by: string; at: string };
  /** Set when the model was archived in the hub. */
  archived?: { by: string; at: string; reason: string };
}

/** The result of a task action: the task's state after it. */
export interface StewardshipActionResult {
  /** `closed` when the task left the open list, `open` when it stays. */
  state: 'open' | 'closed';
  /** One line saying what happened, for the UI. */
  message: string;
}
