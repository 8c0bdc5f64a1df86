import { createApiRef } from '@backstage/core-plugin-api';
import {
  GateCheckOutcome,
  GateEvaluation,
  GauntletRun,
  ModelGauntletResponse,
  ModelSearchQuery,
  ModelSearchFacetsResponse,
  ModelSearchResponse,
  ModelStewardshipOverrides,
  ModelVersion,
  PromotionRequest,
  SimilarModelsRequest,
  SimilarModelsResponse,
  StewardshipActionResult,
  StewardshipSeverity,
  StewardshipTask,
} from '@internal/plugin-model-hub-common';

/*
 * The stewardship wire types come from the common package (the backend
 * serves exactly these).
 */
export type { StewardshipTask } from '@internal/plugin-model-hub-common';
/** How urgent an open stewardship task is. */
export type StewardshipTaskSeverity = StewardshipSeverity;

/**
 * Result of asking for stewardship tasks: `available: false` when the
 * backend does not serve the stewardship route (yet).
 */
export type StewardshipTasksResult =
  | { available: true; items: StewardshipTask[] }
  | { available: false };

/*
 * The gauntlet's wire types come from the common package (the backend serves
 * exactly these); the front end knows some of them by these names.
 */
export type {
  GauntletCheckStatus,
  GauntletStatus,
  GauntletResult,
  GauntletRun,
  GauntletWaiver,
} from '@internal/plugin-model-hub-common';
/** A promotion request (`GET /v1/models/:namespace/:name/promotion-requests`). */
export type GauntletPromotionRequest = PromotionRequest;
/** How one required check of a tier gate came out. */
export type GauntletGateCheckOutcome = GateCheckOutcome;
/** A tier gate evaluated for one version. */
export type GauntletGateEvaluation = GateEvaluation;
/** Body of `GET /v1/models/:namespace/:name/gauntlet`. */
export type ModelGauntlet = ModelGauntletResponse;

/**
 * Result of asking for a model's gauntlet state: `available: false` when the
 * backend answers 404 (no gauntlet route, or the model is unknown to it).
 */
export type ModelGauntletResult =
  | { available: true; gauntlet: ModelGauntlet }
  | { available: false };

/** Content read from a file of a version, at most the bytes asked for. */
export interface VersionFileContent {
  blob: Blob;
  /** The whole file's size in bytes. */
  size: number;
  /** True when the file is larger than the bytes read. */
  truncated: boolean;
}

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
  /**
   * Reads a file of a version with the caller's credentials, at most
   * `maxBytes` of it (a byte range), e.g. a model card or an image in it.
   * With `preview`, the read shows a model card (see
   * `isPreviewablePath`): the hub does not count it as a pull.
   */
  readFile(
    entityRef: string,
    versionOrAlias: string,
    path: string,
    options: { maxBytes: number; preview?: boolean },
  ): Promise<VersionFileContent>;
  /** Open stewardship tasks of an owner (a group or user), or of one model (`entityRef`). */
  getTasks(
    options: { owner: string } | { entityRef: string },
  ): Promise<StewardshipTasksResult>;
  /**
   * Acts on a stewardship task with the signed-in person's credentials.
   * Refusals reject with an Error whose message is the hub's one-line reason.
   */
  actOnTask(
    taskId: string,
    action:
      | { type: 'snooze'; until: string; reason?: string }
      | { type: 'request-waiver'; until: string; reason: string }
      | { type: 'approve-waiver' },
  ): Promise<StewardshipActionResult>;
  /** Names the steward of a model in the hub (overrides `spec.steward`). */
  reassignSteward(
    entityRef: string,
    steward: string,
  ): Promise<StewardshipActionResult>;
  /** Archives a model in the hub; its stewardship tasks close. */
  archiveModel(
    entityRef: string,
    reason: string,
  ): Promise<StewardshipActionResult>;
  /** What the hub records on top of a model's catalog entity (steward, archive). */
  getModelOverrides(entityRef: string): Promise<ModelStewardshipOverrides>;
  /**
   * Withdraws the caller's own pending promotion request (only the requester
   * may); a refusal rejects with the hub's one-line reason.
   */
  withdrawPromotion(entityRef: string, requestId: number): Promise<unknown>;
  /** Gauntlet state of a model: tiers, latest result per check, waivers, approvals. */
  getGauntlet(entityRef: string): Promise<ModelGauntletResult>;
  /** Gauntlet run history of one version of a model, newest first as served. */
  getGauntletRuns(entityRef: string, version: string): Promise<GauntletRun[]>;
  /**
   * A page of models with facet counts (unless `facets: false`) and current
   * tiers (`GET /v1/models`); a `signal` cancels it.
   */
  searchModels(
    query: ModelSearchQuery,
    options?: { signal?: AbortSignal },
  ): Promise<ModelSearchResponse>;
  /** The facet counts of a search's filter (`GET /v1/models/facets`); a `signal` cancels it. */
  searchModelFacets(
    query: ModelSearchQuery,
    options?: { signal?: AbortSignal },
  ): Promise<ModelSearchFacetsResponse>;
  /**
   * Models like one being registered, ranked by the hub's term index
   * (`GET /v1/similar-models`), best first; only models the caller may read.
   */
  findSimilarModels(
    request: SimilarModelsRequest,
  ): Promise<SimilarModelsResponse>;
}

/** API reference for the {@link ModelHubApi}. */
export const modelHubApiRef = createApiRef<ModelHubApi>({
  id: 'plugin.model-hub.service',
});
