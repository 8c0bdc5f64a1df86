import { useEntity, EntityRefLink } from '@backstage/plugin-catalog-react';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { readModel, toFullRef } from '../../lib/model';

/**
 * A warning shown on deprecated models, naming and linking the successor.
 * Renders nothing for models that are not deprecated.
 */
export function EntityModelDeprecationBanner() {
  const { entity } = useEntity();
  const model = readModel(entity);
  if (model.lifecycle !== 'deprecated') {
    return null;
  }
  const successor = model.successor
    ? toFullRef(model.successor, {
        defaultKind: 'model',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      })
    : undefined;
  return (
    <Alert severity="warning" role="alert">
      <AlertTitle>This model is deprecated</AlertTitle>
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
