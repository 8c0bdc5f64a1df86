import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  ModelVersion,
  VersionSnapshot,
  versionSnapshot,
} from '@internal/plugin-model-hub-common';
import { modelHubApiRef } from '../../api';
import { getTierStatus } from '../../lib/model';

/**
 * Snapshots (files plus the latest completed gauntlet run for the tier the
 * current model requests) of the given versions, in order.
 */
export function useVersionSnapshots(
  entityRef: string,
  versions: ModelVersion[],
) {
  const api = useApi(modelHubApiRef);
  const tier = getTierStatus(useEntity().entity).requested;
  const key = versions.map(v => v.version).join('\n');
  return useAsync(
    (): Promise<VersionSnapshot[]> =>
      Promise.all(
        versions.map(async v =>
          versionSnapshot(v, await api.getGauntletRuns(entityRef, v.version), {
            tier,
          }),
        ),
      ),
    // The versions are identified by their names.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, entityRef, key, tier],
  );
}
