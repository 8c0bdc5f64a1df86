import { Entity } from '@backstage/catalog-model';
import { useEntity, EntityRefLink } from '@backstage/plugin-catalog-react';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { readModel, resolveSpecRef } from '../../lib/model';

/** The successor of a deprecated or archived model as a full ref, if named. */
export function successorRef(entity: Entity): string | undefined {
  const { successor } = readModel(entity);
  return successor ? resolveSpecRef(entity, 'successor', successor) : undefined;
}

/**
 * A warning on deprecated (and archived) models, naming and linking the
 * successor. Renders nothing for models in other lifecycle stages.
 */
export function EntityModelDeprecationBanner() {
  const { entity } = useEntity();
  const { lifecycle } = readModel(entity);
  if (lifecycle !== 'deprecated' && lifecycle !== 'archived') {
    return null;
  }
  const successor = successorRef(entity);
  return (
    <Alert severity={lifecycle === 'archived' ? 'error' : 'warning'}>
      <AlertTitle>
        {lifecycle === 'archived'
          ? 'This model is archived and kept for the record only'
          : 'This model is deprecated'}
      </AlertTitle>
      {successor ? (
        <>
          Use its successor <EntityRefLink entityRef={successor} /> instead.
        </>
      ) : (
        <>No successor has been named; ask the owners before depending on it.</>
      )}
    </Alert>
  );
}
