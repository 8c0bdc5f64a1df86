import { ReactNode } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  EmptyState,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useApiHolder } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';
import { ingestionOrigin } from '@internal/plugin-model-hub-common';
import { importApiRef, modelHubApiRef } from '../../api';
import { blobText } from '../../lib/blobText';
import { formatBytes } from '../../lib/format';
import { findModelCardPath } from '../../lib/readmeLinks';
import { pickPullTarget } from '../../lib/versions';
import { SafeMarkdown } from './SafeMarkdown';

/** Largest part of a README that is read and rendered (bytes). */
export const MAX_MODEL_CARD_BYTES = 256 * 1024;

/** An upstream card's images and links never resolve to hub files. */
const NO_FILES: ReadonlySet<string> = new Set();

/** Where a version is published from (the scaffolder template of the examples). */
export const PUBLISH_TEMPLATE_PATH =
  '/create/templates/default/publish-model-version';

/**
 * The model card of the current model's pulled version (`latest`, else the
 * newest sealed one): its `README.md` rendered as sanitised Markdown. A
 * model ingested from Hugging Face with no card in the hub shows its
 * upstream card at the mirrored commit instead (read by the hub from the
 * source, rendered just as sanitised; its images are not fetched).
 */
export function EntityModelReadmeCard(props: { title?: string }) {
  const { entity } = useEntity();
  const api = useApi(modelHubApiRef);
  const importApi = useApiHolder().get(importApiRef);
  const entityRef = stringifyEntityRef(entity);
  const origin = ingestionOrigin(entity);
  const state = useAsync(async () => {
    // An ingested Hugging Face model's own card, when the hub holds none.
    const upstream = async () => {
      if (!importApi || !origin?.source.startsWith('huggingface:')) {
        return undefined;
      }
      const card = await importApi
        .readUpstreamCard(entityRef)
        .catch(() => undefined);
      return card && { kind: 'upstream' as const, ...card };
    };
    const target = pickPullTarget(await api.listVersions(entityRef));
    if (!target) return (await upstream()) ?? { kind: 'no-version' as const };
    const { version } = target;
    const cardPath = findModelCardPath(version.files.map(f => f.path));
    if (!cardPath)
      return (
        (await upstream()) ?? {
          kind: 'no-card' as const,
          version: version.version,
        }
      );
    // A preview: looking at a model's page is not pulling it.
    const content = await api.readFile(entityRef, version.version, cardPath, {
      maxBytes: MAX_MODEL_CARD_BYTES,
      preview: true,
    });
    return {
      kind: 'card' as const,
      version: version.version,
      cardPath,
      files: new Set(version.files.map(f => f.path)),
      text: await blobText(content.blob),
      size: content.size,
      truncated: content.truncated,
    };
  }, [api, importApi, entityRef, origin?.source]);

  let body: ReactNode;
  const value = state.value;
  if (state.loading) {
    body = <Progress />;
  } else if (state.error) {
    body = <ResponseErrorPanel error={state.error} />;
  } else if (!value || value.kind === 'no-version') {
    body = (
      <EmptyState
        missing="content"
        title="No model card yet"
        description="No version is published, so there is no README to show."
        action={<Link to={PUBLISH_TEMPLATE_PATH}>Publish a version</Link>}
      />
    );
  } else if (value.kind === 'no-card') {
    body = (
      <EmptyState
        missing="content"
        title={`Version ${value.version} has no model card`}
        description="Add a README.md (what the model is for, how it was trained and evaluated, its limits) to the next version."
        action={
          <Link to={PUBLISH_TEMPLATE_PATH}>
            Publish a version with a README.md
          </Link>
        }
      />
    );
  } else if (value.kind === 'upstream') {
    body = (
      <>
        <Typography variant="caption" color="textSecondary" component="p">
          README.md of {value.remoteId} at commit {value.revision.slice(0, 7)}{' '}
          on {value.source}, as published upstream (not reviewed by the hub)
        </Typography>
        {value.truncated && (
          <Typography variant="body2" color="error" component="p">
            Only the first {formatBytes(MAX_MODEL_CARD_BYTES)} of this card are
            shown.
          </Typography>
        )}
        <SafeMarkdown
          entityRef={entityRef}
          version={value.revision.slice(0, 7)}
          cardPath="README.md"
          files={NO_FILES}
          content={value.markdown}
        />
      </>
    );
  } else {
    body = (
      <>
        <Typography variant="caption" color="textSecondary" component="p">
          {value.cardPath} of version {value.version}
        </Typography>
        {value.truncated && (
          <Typography variant="body2" color="error" component="p">
            This card is {formatBytes(value.size)}; only the first{' '}
            {formatBytes(MAX_MODEL_CARD_BYTES)} are shown. Download{' '}
            {value.cardPath} from the Files tab for the rest.
          </Typography>
        )}
        <SafeMarkdown
          entityRef={entityRef}
          version={value.version}
          cardPath={value.cardPath}
          files={value.files}
          content={value.text}
        />
      </>
    );
  }
  return (
    <InfoCard title={props.title ?? 'Model card (README)'}>{body}</InfoCard>
  );
}
