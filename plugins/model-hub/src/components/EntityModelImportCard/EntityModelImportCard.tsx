import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  ingestionOrigin,
  ModelImport,
} from '@internal/plugin-model-hub-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { importApiRef } from '../../api';

const STATE_LABEL: Record<ModelImport['state'], string> = {
  importing: 'Importing',
  imported: 'Imported',
  failed: 'Failed',
};

/** One import: the hub version, its upstream version, state and (when failed) the reason. */
function ImportRow(props: { item: ModelImport }) {
  const { item } = props;
  return (
    <ListItem disableGutters aria-label={`Import of ${item.version}`}>
      <ListItemText
        primary={
          <Box display="flex" alignItems="center" style={{ gap: 8 }}>
            <code>{item.version}</code>
            <Chip
              size="small"
              label={STATE_LABEL[item.state]}
              color={item.state === 'failed' ? 'secondary' : 'default'}
            />
          </Box>
        }
        secondary={
          item.state === 'failed'
            ? item.error
            : `${item.source} ${item.remoteId} ${item.remoteVersion}, by ${item.requestedBy}`
        }
      />
    </ListItem>
  );
}

/**
 * Model page card for models ingested from MLflow or Hugging Face: their
 * imports into the hub (importing / imported / failed with the reason) and,
 * for those the hub allows (owners, governance), an "Import into the hub"
 * button for the revision the catalog mirrors. Renders nothing for models
 * published in the hub itself.
 */
export function EntityModelImportCard() {
  const { entity } = useEntity();
  const api = useApi(importApiRef);
  const origin = ingestionOrigin(entity);
  const entityRef = stringifyEntityRef(entity);
  const [running, setRunning] = useState(false);
  const [failure, setFailure] = useState<string>();
  const imports = useAsyncRetry(
    async () => (origin ? api.listImports(entityRef) : undefined),
    [api, entityRef, !!origin],
  );
  if (!origin) return null;

  const start = async () => {
    setRunning(true);
    setFailure(undefined);
    try {
      await api.importVersion(entityRef);
    } catch (e) {
      setFailure((e as Error).message);
    } finally {
      setRunning(false);
      imports.retry();
    }
  };

  const items = imports.value?.items ?? [];
  return (
    <InfoCard title="Import into the hub">
      <Typography variant="body2" paragraph>
        Mirrored from <code>{origin.source}</code> ({origin.remoteId}
        {origin.revision ? ` at ${origin.revision}` : ''}). Importing stores its
        files in the hub, scans them and runs the gauntlet, like a publish.
      </Typography>
      {imports.loading && !imports.value ? <Progress /> : null}
      {imports.error ? <ResponseErrorPanel error={imports.error} /> : null}
      {imports.value?.canImport ? (
        <Button
          variant="contained"
          color="primary"
          disabled={running}
          onClick={start}
        >
          {running ? 'Importing…' : 'Import into the hub'}
        </Button>
      ) : null}
      {failure ? (
        <Typography role="alert" color="error" variant="body2">
          Import failed: {failure}
        </Typography>
      ) : null}
      {items.length > 0 ? (
        <List dense aria-label="Imports">
          {items.map(item => (
            <ImportRow key={item.version} item={item} />
          ))}
        </List>
      ) : null}
    </InfoCard>
  );
}
