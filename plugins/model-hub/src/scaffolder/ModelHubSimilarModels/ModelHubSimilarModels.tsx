import { useEffect, useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink, catalogApiRef } from '@backstage/plugin-catalog-react';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import {
  MODEL_KIND,
  findSimilarModels,
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

/** The fields of a Model the ranking and the list need. */
export const SIMILAR_MODEL_FIELDS = [
  'apiVersion',
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'metadata.tags',
  'metadata.annotations',
  'spec.task',
  'spec.owner',
  'spec.tier',
  'spec.lifecycle',
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
 * owning team and tier), so teams reuse before they duplicate. Its value is
 * the refs it showed; it never blocks submission.
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

  const models = useAsync(async () => {
    const { items } = await catalogApi.getEntities({
      filter: { kind: MODEL_KIND },
      fields: SIMILAR_MODEL_FIELDS,
    });
    return items;
  }, [catalogApi]);

  const tagsKey = tags.join(',');
  const matches = useMemo(
    () =>
      name || title
        ? findSimilarModels({ name, title, tags, task }, models.value ?? [], {
            limit: options.limit,
          })
        : [],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [models.value, name, title, tagsKey, task, options.limit],
  );

  const ownerRefs = Array.from(
    new Set(
      matches.map(m => ownerRefOf(m.entity)).filter((r): r is string => !!r),
    ),
  );
  const ownersKey = ownerRefs.join(',');
  const owners = useAsync(async () => {
    if (ownerRefs.length === 0) return new Map<string, Entity>();
    const { items } = await catalogApi.getEntitiesByRefs({
      entityRefs: ownerRefs,
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'spec.profile.displayName',
      ],
    });
    const byRef = new Map<string, Entity>();
    items.forEach((item, i) => {
      if (item) byRef.set(ownerRefs[i], item);
    });
    return byRef;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [catalogApi, ownersKey]);

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
    const owner = owners.value?.get(ref);
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
  } else if (models.loading) {
    content = <LinearProgress aria-label="Looking for similar models" />;
  } else if (models.error) {
    content = (
      <FormHelperText error>
        Could not look for similar models: {models.error.message}
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
                    <TierBadge entity={match.entity} />
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
