import { ReactNode, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  CopyTextButton,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { configApiRef, useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { modelHubApiRef } from '../../api';
import {
  formatHfRepoId,
  HfNamespaceMode,
  hfRepoIdOf,
} from '@internal/plugin-model-hub-common';
import { pickPullTarget } from '../../lib/versions';
import {
  cliSnippet,
  curlCommand,
  javascriptSnippet,
  pythonSnippet,
} from './snippets';

export { curlCommand } from './snippets';

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
        {/* Focusable: a long command scrolls, and a keyboard must reach it. */}
        {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex */}
        <code className={classes.command} aria-label={props.label} tabIndex={0}>
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
 * "Use this model": how to pull the pinned version (`latest`'s target, else
 * the newest sealed one) with the CLI, Python and JavaScript Hugging Face
 * clients, and curl; each snippet with a copy button and no token text.
 */
export function EntityUseModelCard(props: { title?: string }) {
  const { entity } = useEntity();
  const modelHubApi = useApi(modelHubApiRef);
  const configApi = useApi(configApiRef);
  const [tab, setTab] = useState(0);
  const entityRef = stringifyEntityRef(entity);
  const { value, loading, error } = useAsync(async () => {
    const versions = await modelHubApi.listVersions(entityRef);
    const target = pickPullTarget(versions);
    const file = target?.version.files[0];
    const url = target
      ? await modelHubApi.getFileDownloadUrl(
          entityRef,
          target.version.version,
          file?.path ?? '',
        )
      : undefined;
    return { versions, target, file, url };
  }, [modelHubApi, entityRef]);

  let content: ReactNode;
  if (loading) {
    content = <Progress />;
  } else if (error) {
    content = <ResponseErrorPanel error={error} />;
  } else if (!value?.target || !value.url) {
    content = (
      <Typography variant="body2">
        {value && value.versions.length > 0
          ? 'No sealed version yet: drafts cannot be pulled. Seal a version to make it available.'
          : 'No versions published yet, so there is nothing to pull.'}
      </Typography>
    );
  } else {
    const { target, file, url } = value;
    const version = target.version.version;
    // The hub's HTTP API base is what precedes /v1/models in a file URL.
    const hubUrl = `${url.split('/v1/models/')[0]}/hf`;
    const mode = (configApi.getOptionalString('modelHub.hf.namespace') ??
      'auto') as HfNamespaceMode;
    const snippetTarget = {
      entityRef,
      version,
      repoId: formatHfRepoId(hfRepoIdOf(entity, mode)),
      hubUrl,
      task: String(
        (entity.spec as { task?: string })?.task ?? 'feature-extraction',
      ),
    };
    const panels: Array<{ tab: string; node: ReactNode }> = [
      {
        tab: 'CLI',
        node: (
          <Command
            label={`Pull version ${version} with the model-hub CLI`}
            command={cliSnippet(snippetTarget)}
          />
        ),
      },
      {
        tab: 'Python',
        node: (
          <Command
            label={`Python (huggingface_hub, transformers), version ${version}`}
            command={pythonSnippet(snippetTarget)}
          />
        ),
      },
      {
        tab: 'JavaScript',
        node: (
          <Command
            label={`JavaScript (@huggingface/hub, transformers.js), version ${version}`}
            command={javascriptSnippet(snippetTarget)}
          />
        ),
      },
      {
        tab: 'curl',
        node: file ? (
          <Command
            label={`Download ${file.path} (version ${version}) with curl`}
            command={curlCommand(url, file.path)}
          />
        ) : (
          <Typography variant="body2">
            Version {version} has no files to download.
          </Typography>
        ),
      },
    ];
    content = (
      <>
        <Tabs
          value={tab}
          onChange={(_e, v) => setTab(v)}
          indicatorColor="primary"
          variant="scrollable"
        >
          {panels.map(p => (
            <Tab key={p.tab} label={p.tab} />
          ))}
        </Tabs>
        <Box mt={2}>{panels[tab].node}</Box>
        {target.selector !== version && (
          <Typography variant="body2" color="textSecondary" paragraph>
            Pinned to version {version}, where the alias{' '}
            <code>{target.selector}</code> points now.
          </Typography>
        )}
        <Typography variant="body2" color="textSecondary">
          Set <code>MODEL_HUB_TOKEN</code> (or <code>MODEL_HUB_HF_TOKEN</code>,
          its <code>hf_</code> form) to an access token first.
        </Typography>
      </>
    );
  }
  return <InfoCard title={props.title ?? 'Use this model'}>{content}</InfoCard>;
}
