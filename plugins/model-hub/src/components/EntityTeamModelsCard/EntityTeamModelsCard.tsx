import useAsync from 'react-use/esm/useAsync';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi, useApiHolder } from '@backstage/core-plugin-api';
import {
  catalogApiRef,
  EntityRefLink,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  isModelEntity,
  ModelEntityV1alpha1,
  ModelVersion,
} from '@internal/plugin-model-hub-common';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { modelHubApiRef, usageApiRef } from '../../api';
import { EntityTableCard, EntityTableColumn } from '../EntityTableCard';
import { TierBadge } from '../TierBadge';

const useStyles = makeStyles(theme => ({
  // Secondary facts under the name: the card is half the page wide.
  facts: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
    marginTop: theme.spacing(0.5),
  },
}));

/** Props of {@link EntityTeamModelsCard}. */
export interface EntityTeamModelsCardProps {
  title?: string;
  /**
   * Pulls per model ref. Defaults to all-time pulls from the hub's usage API
   * when the app registers it; without either the card shows no pulls column
   * (never a made-up number).
   */
  pulls?: (entityRef: string) => Promise<number | undefined>;
}

interface Row {
  ref: string;
  model: ModelEntityV1alpha1;
  latest?: string;
  openTasks: number;
  pulls?: number;
}

/** The newest sealed version: the `latest` alias, else the last sealed. */
export function latestVersion(versions: ModelVersion[]): string | undefined {
  const sealed = versions.filter(v => v.state === 'sealed');
  const aliased = sealed.find(v => v.aliases.includes('latest'));
  if (aliased) return aliased.version;
  return [...sealed].sort((a, b) =>
    (b.sealedAt ?? '').localeCompare(a.sealedAt ?? ''),
  )[0]?.version;
}

/**
 * Group (or User) entity card: the models the team owns, each with its tier
 * badge and latest sealed version under its name, its open stewardship task
 * count and pulls.
 */
export function EntityTeamModelsCard(props: EntityTeamModelsCardProps) {
  const classes = useStyles();
  const { entity } = useEntity();
  const catalogApi = useApi(catalogApiRef);
  const hub = useApi(modelHubApiRef);
  const owner = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
  const usage = useApiHolder().get(usageApiRef);
  const pulls =
    props.pulls ??
    (usage
      ? (ref: string) =>
          usage.getModelUsage(ref).then(
            u => u.pullsAllTime,
            () => undefined,
          )
      : undefined);
  const { value, loading, error } = useAsync(async (): Promise<Row[]> => {
    const { items } = await catalogApi.getEntities({
      filter: { kind: 'Model', 'relations.ownedBy': owner },
    });
    const models = items.filter(isModelEntity);
    const tasks = await hub.getTasks({ owner });
    const open = new Map<string, number>();
    for (const task of tasks.available ? tasks.items : []) {
      open.set(task.entityRef, (open.get(task.entityRef) ?? 0) + 1);
    }
    return Promise.all(
      models.map(async model => {
        const ref = stringifyEntityRef(model).toLocaleLowerCase('en-US');
        const versions = await hub.listVersions(ref).catch(() => []);
        return {
          ref,
          model,
          latest: latestVersion(versions),
          openTasks: open.get(ref) ?? 0,
          pulls: pulls ? await pulls(ref) : undefined,
        };
      }),
    ).then(rows => rows.sort((a, b) => a.ref.localeCompare(b.ref)));
    // `pulls` is derived from these two, so they are the dependencies.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [catalogApi, hub, owner, props.pulls, usage]);

  const columns: EntityTableColumn<Row>[] = [
    {
      title: 'Model',
      render: row => (
        <>
          <EntityRefLink entityRef={row.ref}>
            {row.model.metadata.title ?? row.model.metadata.name}
          </EntityRefLink>
          <div className={classes.facts}>
            <TierBadge entity={row.model} />
            <Typography variant="caption" color="textSecondary">
              {row.latest ? `Latest ${row.latest}` : 'No sealed version'}
            </Typography>
          </div>
        </>
      ),
    },
    { title: 'Open tasks', align: 'right', render: row => row.openTasks },
  ];
  if (pulls) {
    columns.push({
      title: 'Pulls',
      align: 'right',
      render: row => row.pulls?.toLocaleString('en-US') ?? '—',
    });
  }
  return (
    <EntityTableCard
      title={props.title ?? 'Models'}
      label="Models owned by the team"
      state={{ loading, error, value }}
      rowKey={row => row.ref}
      empty={{
        title: 'No models',
        description:
          "This team owns no models yet. Register one with the 'Register a model' template.",
      }}
      columns={columns}
    />
  );
}
