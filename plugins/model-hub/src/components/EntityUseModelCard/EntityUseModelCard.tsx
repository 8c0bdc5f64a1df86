import { ReactNode } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  CopyTextButton,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { modelHubApiRef } from '../../api';
import { pickPullTarget } from '../../lib/versions';

/** The one-line CLI command that pulls a model version. */
export function pullCommand(entityRef: string, selector: string): string {
  return `npx model-hub pull ${entityRef}@${selector}`;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A `curl` command downloading one file with a bearer token placeholder. */
export function curlCommand(url: string, path: string): string {
  const fileName = path.split('/').pop() || path;
  return `curl -fL -H "Authorization: Bearer $MODEL_HUB_TOKEN" -o ${shellQuote(
    fileName,
  )} ${shellQuote(url)}`;
}

const useStyles = makeStyles(theme => ({
  command: {
    fontFamily: 'monospace',
    fontSize: '0.85rem',
    overflowX: 'auto',
    whiteSpace: 'pre',
    flex: 1,
    padding: theme.spacing(1),
    backgroundColor: theme.palette.background.default,
    borderRadius: theme.shape.borderRadius,
  },
}));

function Command(props: { label: string; command: string }) {
  const classes = useStyles();
  return (
    <Box mb={2}>
      <Typography variant="subtitle2" component="h3">
        {props.label}
      </Typography>
      <Box display="flex" alignItems="center">
        <code className={classes.command} aria-label={props.label}>
          {props.command}
        </code>
        <CopyTextButton
          text={props.command}
          tooltipText="Command copied"
          aria-label={`Copy: ${props.label}`}
        />
      </Box>
    </Box>
  );
}

/**
 * "Use this model": the pull command for the latest sealed version and an
 * equivalent `curl` download, each with a copy button.
 */
export function EntityUseModelCard(props: { title?: string }) {
  const { entity } = useEntity();
  const modelHubApi = useApi(modelHubApiRef);
  const entityRef = stringifyEntityRef(entity);
  const { value, loading, error } = useAsync(async () => {
    const versions = await modelHubApi.listVersions(entityRef);
    const target = pickPullTarget(versions);
    const file = target?.version.files[0];
    const url = file
      ? await modelHubApi.getFileDownloadUrl(
          entityRef,
          target.version.version,
          file.path,
        )
      : undefined;
    return { versions, target, file, url };
  }, [modelHubApi, entityRef]);

  let content: ReactNode;
  if (loading) {
    content = <Progress />;
  } else if (error) {
    content = <ResponseErrorPanel error={error} />;
  } else if (!value?.target) {
    content = (
      <Typography variant="body2">
        {value && value.versions.length > 0
          ? 'No sealed version yet: drafts cannot be pulled. Seal a version to make it available.'
          : 'No versions published yet, so there is nothing to pull.'}
      </Typography>
    );
  } else {
    const { target, file, url } = value;
    content = (
      <>
        <Command
          label="Pull with the model-hub CLI"
          command={pullCommand(entityRef, target.selector)}
        />
        {target.selector !== target.version.version && (
          <Typography variant="body2" color="textSecondary" paragraph>
            The alias <code>{target.selector}</code> currently points at version{' '}
            {target.version.version}.
          </Typography>
        )}
        {file && url ? (
          <>
            <Command
              label={`Download ${file.path} (version ${target.version.version}) with curl`}
              command={curlCommand(url, file.path)}
            />
            <Typography variant="body2" color="textSecondary">
              Set <code>MODEL_HUB_TOKEN</code> to a Backstage token first. The
              file's SHA-256 is <code title={file.sha256}>{file.sha256}</code>.
            </Typography>
          </>
        ) : (
          <Typography variant="body2">
            Version {target.version.version} has no files to download.
          </Typography>
        )}
      </>
    );
  }
  return <InfoCard title={props.title ?? 'Use this model'}>{content}</InfoCard>;
}
