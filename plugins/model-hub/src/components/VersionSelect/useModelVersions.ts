import useAsync from 'react-use/esm/useAsync';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { modelHubApiRef } from '../../api';
import { pickPullTarget, sortVersionsNewestFirst } from '../../lib/versions';

/**
 * The versions of the current Model entity, newest first, and the one a
 * page shows by default (what a consumer pulls: `latest`, else newest sealed).
 */
export function useModelVersions() {
  const { entity } = useEntity();
  const api = useApi(modelHubApiRef);
  const entityRef = stringifyEntityRef(entity);
  const state = useAsync(async () => {
    const versions = sortVersionsNewestFirst(await api.listVersions(entityRef));
    return {
      versions,
      defaultVersion:
        pickPullTarget(versions)?.version.version ?? versions[0]?.version,
    };
  }, [api, entityRef]);
  return { entity, entityRef, ...state };
}
