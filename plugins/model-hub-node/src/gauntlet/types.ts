import { JsonObject } from '@backstage/types';
import {
  GAUNTLET_CHECK_STATUSES,
  type GauntletCheckStatus,
} from '@internal/plugin-model-hub-common';

/*
 * Wire types of gauntlet results, needed by the backend that stores them, the
 * CLI that prints them and the UI that shows them. They belong in
 * `@internal/plugin-model-hub-common` and live here until they move there.
 */

/** The ids of the five built-in gauntlet checks. */
export const GAUNTLET_CHECK_IDS = [
  'security',
  'license',
  'fairness',
  'performance',
  'provenance',
] as const;

/** The id of a built-in gauntlet check. */
export type GauntletCheckId = (typeof GAUNTLET_CHECK_IDS)[number];

// The statuses are part of the API's wire types, defined once in -common.
export type { GauntletCheckStatus };
export { GAUNTLET_CHECK_STATUSES };

/** Fields every check result has. */
interface GauntletCheckResultBase {
  /** One line for lists and badges. */
  summary: string;
  /** What the check looked at and found, for the detail view and audits. */
  evidence: JsonObject;
  /** Numeric results worth charting, e.g. `demographic_parity_difference`. */
  metrics?: Record<string, number>;
}

/** The result of one check run. A `not-applicable` result must say why. */
export type GauntletCheckResult =
  | (GauntletCheckResultBase & {
      status: Exclude<GauntletCheckStatus, 'not-applicable'>;
      /** Optional longer explanation. */
      reason?: string;
    })
  | (GauntletCheckResultBase & {
      status: 'not-applicable';
      /** Why the check does not apply; required. */
      reason: string;
    });
