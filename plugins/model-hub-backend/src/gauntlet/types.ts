/*
 * The gauntlet's wire types live in @internal/plugin-model-hub-common, shared
 * with the clients; re-exported here for the backend's own modules.
 */
export type {
  GauntletRunTrigger,
  GauntletRunStatus,
  GauntletResult,
  GauntletRun,
  PromotionRequestState,
  PromotionRequest,
  GauntletWaiver,
  GauntletApproval,
  GateCheckOutcome,
  GateEvaluation,
  GauntletStatus,
  ModelGauntletResponse,
  EffectiveTierItem,
} from '@internal/plugin-model-hub-common';
