import useAsync from 'react-use/esm/useAsync';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Chip from '@material-ui/core/Chip';
import { usageApiRef } from '../../api';

/** "used by N teams": other teams that pull the model or declare dependsOn it. */
export function reuseLabel(teams: number): string {
  if (teams === 0) return 'not reused by other teams yet';
  return `used by ${teams} team${teams === 1 ? '' : 's'}`;
}

/**
 * Badge for the top of a model page: how many teams other than the owner
 * use the model. Shows nothing while loading or when usage is unavailable.
 */
export function EntityModelReuseBadge() {
  const { entity } = useEntity();
  const usageApi = useApi(usageApiRef);
  const { value } = useAsync(
    () => usageApi.getModelUsage(stringifyEntityRef(entity)),
    [usageApi, entity],
  );
  if (!value) return null;
  return (
    <Chip
      size="medium"
      color={value.usedByTeams > 0 ? 'primary' : 'default'}
      label={reuseLabel(value.usedByTeams)}
      aria-label={`Reuse: ${reuseLabel(value.usedByTeams)}`}
      data-testid="model-reuse-badge"
    />
  );
}
