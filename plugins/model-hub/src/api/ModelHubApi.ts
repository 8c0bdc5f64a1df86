import { createApiRef } from '@backstage/core-plugin-api';
import { ModelVersion } from '@internal/plugin-model-hub-common';

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
}

/** API reference for the {@link ModelHubApi}. */
export const modelHubApiRef = createApiRef<ModelHubApi>({
  id: 'plugin.model-hub.service',
});
