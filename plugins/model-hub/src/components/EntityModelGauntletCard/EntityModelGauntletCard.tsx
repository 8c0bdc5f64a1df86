import { EmptyState, InfoCard } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { getTierStatus } from '../../lib/model';

/**
 * Entity card for the compliance gauntlet results of a model. The backend
 * does not serve gauntlet results yet, so this card says so instead of
 * guessing.
 */
export function EntityModelGauntletCard(props: { title?: string }) {
  const { entity } = useEntity();
  const { requested, effective } = getTierStatus(entity);
  const tierNote =
    requested === 'official' && effective !== 'official'
      ? ' Until it passes, the official tier this model requests is not earned.'
      : '';
  return (
    <InfoCard title={props.title ?? 'Compliance gauntlet'}>
      <EmptyState
        missing="data"
        title="The compliance gauntlet has not run for this model yet"
        description={`Gauntlet results (checks on license, model card, scans and evaluation) will be listed here once the hub runs the gauntlet.${tierNote}`}
      />
    </InfoCard>
  );
}
