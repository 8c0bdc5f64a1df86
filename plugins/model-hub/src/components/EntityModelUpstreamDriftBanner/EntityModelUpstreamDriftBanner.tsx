import { Link } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  readUpstreamDrift,
  UpstreamDriftChange,
} from '@internal/plugin-model-hub-common';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';

const LABELS: Record<UpstreamDriftChange['field'], string> = {
  revision: 'Revision',
  license: 'Licence',
};

/** Long commit ids are shortened for reading; the link shows the full change. */
function short(value: string): string {
  return /^[0-9a-f]{40}$/.test(value) ? value.slice(0, 10) : value;
}

/**
 * "Changed upstream" notice on an ingested model whose source changed after
 * it was first mirrored: what changed, when, and a link to the source.
 * Renders nothing for other models.
 */
export function EntityModelUpstreamDriftBanner() {
  const { entity } = useEntity();
  const drift = readUpstreamDrift(entity);
  if (!drift) return null;
  const license = drift.changes.some(c => c.field === 'license');
  return (
    <Alert severity={license ? 'warning' : 'info'}>
      <AlertTitle>Changed upstream</AlertTitle>
      <ul style={{ margin: 0, paddingLeft: 20 }}>
        {drift.changes.map(c => (
          <li key={c.field}>
            {LABELS[c.field]}: <code>{short(c.from)}</code> →{' '}
            <code>{short(c.to)}</code>
          </li>
        ))}
      </ul>
      Seen on {new Date(drift.detectedAt).toUTCString()} by {drift.source}.
      {drift.url && (
        <>
          {' '}
          <Link to={drift.url}>See the model at its source</Link>.
        </>
      )}{' '}
      The owning team has a stewardship task to review it.
    </Alert>
  );
}
