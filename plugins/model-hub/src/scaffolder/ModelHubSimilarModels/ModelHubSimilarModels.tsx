import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink, catalogApiRef } from '@backstage/plugin-catalog-react';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import {
  SimilarModelMatch,
  SimilarModelsRequest,
} from '@internal/plugin-model-hub-common';
import FormControl from '@material-ui/core/FormControl';
import FormHelperText from '@material-ui/core/FormHelperText';
import FormLabel from '@material-ui/core/FormLabel';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import LinearProgress from '@material-ui/core/LinearProgress';
import { TierBadge } from '../../components/TierBadge';
import { modelHubApiRef } from '../../api';

/** `ui:options` of the `ModelHubSimilarModels` field. */
export type ModelHubSimilarModelsUiOptions = {
  /** Form field holding the new model's name (default `name`). */
  nameField?: string;
  /** Form field holding its title (default `title`). */
  titleField?: string;
  /** Form field holding its tags (default `tags`). */
  tagsField?: string;
  /** Form field holding its task (default `task`). */
  taskField?: string;
  /** At most this many models are listed (default 5). */
  limit?: number;
};

/** How long typing must pause before the hub is asked (ms). */
export const SIMILAR_MODELS_DEBOUNCE_MS = 300;

/** Fields of the listed models and their owners read from the catalog. */
const SHOWN_FIELDS = [
  'apiVersion',
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'metadata.annotations',
  'spec.tier',
  'spec.profile.displayName',
];

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function ownerRefOf(model: Entity): string | undefined {
  const owner = asString(model.spec?.owner);
  if (!owner) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: model.metadata.namespace ?? 'default',
      }),
    );
  } catch {
    return undefined;
  }
}

/**
 * Read-only scaffolder field: while someone fills in a new model's name,
 * title, tags and task, lists existing Models that look alike (with their
 * owning team and tier), so teams reuse before they duplicate. The hub ranks
 * them (`GET /v1/similar-models`, over its term index) once typing pauses;
 * the browser never loads the whole portfolio. Its value is the refs it
 * showed; it never blocks submission.
 */
export function ModelHubSimilarModels(
  props: FieldExtensionComponentProps<string[], ModelHubSimilarModelsUiOptions>,
) {
  const { uiSchema, formContext, schema, onChange, formData, idSchema } = props;
  const options = uiSchema?.['ui:options'] ?? {};
  const values: Record<string, unknown> = formContext?.formData ?? {};
  const name = asString(values[options.nameField ?? 'name']);
  const title = asString(values[options.titleField ?? 'title']);
  const task = asString(values[options.taskField ?? 'task']);
  const rawTags = values[options.tagsField ?? 'tags'];
  const tags = Array.isArray(rawTags)
    ? rawTags.filter((t): t is string => typeof t === 'string')
    : [];
  const catalogApi = useApi(catalogApiRef);
  const modelHubApi = useApi(modelHubApiRef);

  // The request only changes once typing pauses; its JSON is the key.
  const requestKey = JSON.stringify({
    name,
    title,
    tags,
    task,
    limit: options.limit,
  } satisfies SimilarModelsRequest);
  const [debouncedKey, setDebouncedKey] = useState(requestKey);
  useDebounce(() => setDebouncedKey(requestKey), SIMILAR_MODELS_DEBOUNCE_MS, [
    requestKey,
  ]);
  const settled = debouncedKey === requestKey;

  const found = useAsync(async () => {
    const request: SimilarModelsRequest = JSON.parse(debouncedKey);
    if (!request.name && !request.title) return undefined;
    const { items } = await modelHubApi.findSimilarModels(request);
    // One catalog call for the listed models' tiers and their owners' names.
    const ownerRefs = items
      .map(m => ownerRefOf(m.entity))
      .filter((r): r is string => !!r);
    const refs = Array.from(
      new Set([...items.map(m => m.entityRef), ...ownerRefs]),
    );
    const byRef = new Map<string, Entity>();
    if (refs.length > 0) {
      const shown = await catalogApi.getEntitiesByRefs({
        entityRefs: refs,
        fields: SHOWN_FIELDS,
      });
      shown.items.forEach((item, i) => {
        if (item) byRef.set(refs[i], item);
      });
    }
    return { items, byRef };
  }, [modelHubApi, catalogApi, debouncedKey]);
  // While a new answer is on its way the last one stays (and stays the value).
  const matches: SimilarModelMatch[] = found.value?.items ?? [];
  const byRef = found.value?.byRef ?? new Map<string, Entity>();

  const shownKey = matches.map(m => m.entityRef).join(',');
  useEffect(() => {
    if ((formData ?? []).join(',') !== shownKey) {
      onChange(shownKey ? shownKey.split(',') : []);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shownKey]);

  const ownerName = (model: Entity): string | undefined => {
    const ref = ownerRefOf(model);
    if (!ref) return undefined;
    const owner = byRef.get(ref);
    const displayName = asString(
      (owner?.spec?.profile as { displayName?: unknown } | undefined)
        ?.displayName,
    );
    return displayName ?? owner?.metadata.title ?? parseEntityRef(ref).name;
  };

  const labelId = `${idSchema?.$id ?? 'similar-models'}-label`;
  let content;
  if (!name && !title) {
    content = (
      <FormHelperText>
        Type a name to see whether a similar model already exists.
      </FormHelperText>
    );
  } else if (!settled || found.loading) {
    content = <LinearProgress aria-label="Looking for similar models" />;
  } else if (found.error) {
    content = (
      <FormHelperText error>
        Could not look for similar models: {found.error.message}
      </FormHelperText>
    );
  } else if (matches.length === 0) {
    content = <FormHelperText>No similar models.</FormHelperText>;
  } else {
    content = (
      <List dense aria-labelledby={labelId}>
        {matches.map(match => {
          const team = ownerName(match.entity);
          const why = [
            match.sharedWords.length > 0 &&
              `name: ${match.sharedWords.join(', ')}`,
            match.sharedTags.length > 0 &&
              `tags: ${match.sharedTags.join(', ')}`,
            match.sameTask && 'same task',
          ]
            .filter(Boolean)
            .join('; ');
          return (
            <ListItem key={match.entityRef} disableGutters>
              <ListItemText
                disableTypography
                primary={
                  <Typography variant="body2" component="div">
                    <EntityRefLink entityRef={match.entity} hideIcon>
                      {match.entity.metadata.title ??
                        match.entity.metadata.name}
                    </EntityRefLink>{' '}
                    already exists{team ? ` in ${team}` : ''}{' '}
                    <TierBadge
                      entity={byRef.get(match.entityRef) ?? match.entity}
                    />
                  </Typography>
                }
                secondary={
                  <Typography variant="caption" color="textSecondary">
                    {[
                      match.entity.spec?.lifecycle &&
                        `${match.entity.spec.lifecycle}`,
                      why && `shares ${why}`,
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                  </Typography>
                }
              />
            </ListItem>
          );
        })}
      </List>
    );
  }

  return (
    <FormControl margin="normal" fullWidth>
      <FormLabel id={labelId}>{schema?.title ?? 'Similar models'}</FormLabel>
      {schema?.description && (
        <FormHelperText>{schema.description}</FormHelperText>
      )}
      {content}
    </FormControl>
  );
}
