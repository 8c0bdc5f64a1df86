import { EmptyState, InfoCard } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { MODEL_HUB_ANNOTATIONS } from '@internal/plugin-model-hub-common';
import Typography from '@material-ui/core/Typography';
import { getTierStatus } from '../../lib/model';

/**
 * Entity card for the compliance gauntlet of a model. The backend does not
 * serve per-check results yet, so the card shows only what the catalog knows
 * (the `modelhub.io/gauntlet-status` annotation, when the hub has written it)
 * and says plainly that detailed results are not available.
 */
export function EntityModelGauntletCard(props: { title?: string }) {
  const { entity } = useEntity();
  const { requested, effective } = getTierStatus(entity);
  const status =
    entity.metadata.annotations?.[MODEL_HUB_ANNOTATIONS.gauntletStatus];
  const tierNote =
    requested === 'official' && effective !== 'official'
      ? ' Until it passes, the official tier this model requests is not earned.'
      : '';
  return (
    <InfoCard title={props.title ?? 'Compliance gauntlet'}>
      {status ? (
        <>
          <Typography variant="body1" paragraph>
            Latest gauntlet run: <strong>{status}</strong> (as recorded on the
            entity by the hub).
          </Typography>
          <Typography variant="body2" color="textSecondary">
            Per-check results are not available in this portal yet.{tierNote}
          </Typography>
        </>
      ) : (
        <EmptyState
          missing="data"
          title="The compliance gauntlet has not run for this model yet"
          description={`Gauntlet results (license, model card, scans and evaluation checks) will be listed here once the hub runs the gauntlet for this model.${tierNote}`}
        />
      )}
    </InfoCard>
  );
}
