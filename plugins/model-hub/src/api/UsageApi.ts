import { createApiRef } from '@backstage/core-plugin-api';
import {
  DuplicateEffortReport,
  ModelUsage,
  TeamUsage,
  UsageRankBy,
  UsageTop,
  UsageWindow,
} from '@internal/plugin-model-hub-common';

/** Reuse metrics of the hub: pulls, consuming teams, leaderboards. */
export interface UsageApi {
  /** One model's pulls, users, teams, declared consumers and 90-day series. */
  getModelUsage(entityRef: string): Promise<ModelUsage>;
  /** The most reused models and owning teams over a window. */
  getTop(options: {
    window: UsageWindow;
    by: UsageRankBy;
    limit?: number;
  }): Promise<UsageTop>;
  /** A team's published models, their reuse and the team's rank. */
  getTeamUsage(teamRef: string, window: UsageWindow): Promise<TeamUsage>;
  /** Per task, models with overlapping purpose and how many teams use each. */
  getDuplicates(window: UsageWindow): Promise<DuplicateEffortReport>;
}

/** API reference for the {@link UsageApi}. */
export const usageApiRef = createApiRef<UsageApi>({
  id: 'plugin.model-hub.usage',
});
