import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { getTierStatus, readModel } from '../../lib/model';
import { TierBadge, describeTier } from '../TierBadge';

/**
 * The tier of the current model and its lifecycle, for the top of the
 * overview; community models carry a "use at your own risk" note.
 */
export function EntityModelHeaderTierBadge() {
  const { entity } = useEntity();
  const model = readModel(entity);
  const { variant } = describeTier(getTierStatus(entity));
  return (
    <Box
      display="flex"
      alignItems="center"
      flexWrap="wrap"
      style={{ gap: 8 }}
      role="group"
      aria-label="Model tier and lifecycle"
    >
      <TierBadge entity={entity} size="medium" />
      {model.lifecycle && (
        <Chip
          variant="outlined"
          label={`Lifecycle: ${model.lifecycle}`}
          aria-label={`Lifecycle: ${model.lifecycle}`}
        />
      )}
      {variant === 'community' && (
        <Typography variant="body2" color="textSecondary">
          Community model: use at your own risk.
        </Typography>
      )}
      {variant === 'external' && (
        <Typography variant="body2" color="textSecondary">
          External model: hosted and vetted outside the hub.
        </Typography>
      )}
    </Box>
  );
}
