import { Fragment, memo } from 'react';
import {
  Entity,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Link } from '@backstage/core-components';
import {
  getEntityRelations,
  useEntityRefLink,
} from '@backstage/plugin-catalog-react';
import {
  MODEL_HUB_ANNOTATIONS,
  ModelSearchItem,
  ModelSearchSort,
} from '@internal/plugin-model-hub-common';
import { makeStyles } from '@material-ui/core/styles';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TableSortLabel from '@material-ui/core/TableSortLabel';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import {
  LAST_ACTIVITY_ANNOTATION,
  consumerRefs,
  getTierStatus,
  readModel,
} from '../../lib/model';
import { relativeTime } from '../../lib/relativeTime';
import { TierBadge, describeTier } from '../TierBadge';
import { HUB_COLUMNS, HubColumn } from './useHubColumns';
import {
  EntityPresentations,
  useEntityPresentations,
} from './useEntityPresentations';

const useStyles = makeStyles(theme => ({
  table: { tableLayout: 'auto' },
  head: { whiteSpace: 'nowrap' },
  model: { minWidth: 320, width: '45%' },
  nowrap: { whiteSpace: 'nowrap' },
  facts: { marginTop: theme.spacing(0.5) },
  owner: { display: 'inline-flex', alignItems: 'center' },
  ownerIcon: {
    marginRight: theme.spacing(0.5),
    color: theme.palette.text.secondary,
    '& svg': { verticalAlign: 'middle' },
  },
}));

/** The sort column of each sortable table column. */
const SORT_OF: Record<'model' | HubColumn, ModelSearchSort> = {
  model: 'name',
  tier: 'tier',
  owner: 'owner',
  lifecycle: 'lifecycle',
  license: 'license',
  activity: 'lastActivity',
};

/** The entity with the hub's current tier on it (the badge reads annotations). */
function withTier(item: ModelSearchItem): Entity {
  const annotations = { ...item.entity.metadata.annotations };
  if (item.tier.effectiveTier) {
    annotations[MODEL_HUB_ANNOTATIONS.effectiveTier] = item.tier.effectiveTier;
  } else {
    delete annotations[MODEL_HUB_ANNOTATIONS.effectiveTier];
  }
  return {
    ...item.entity,
    metadata: { ...item.entity.metadata, annotations },
  };
}

/** One formatter for every row: building one per call costs ~1 ms. */
const LONG_DATE = new Intl.DateTimeFormat('en', { dateStyle: 'long' });

function Activity(props: { entity: Entity }) {
  const raw = props.entity.metadata.annotations?.[LAST_ACTIVITY_ANNOTATION];
  const relative = raw ? relativeTime(raw) : undefined;
  if (!raw || !relative) {
    return (
      <Typography variant="body2" color="textSecondary">
        none recorded
      </Typography>
    );
  }
  // The full date as the element's title (its accessible description too).
  return (
    <time dateTime={raw} title={LONG_DATE.format(new Date(raw))}>
      {relative}
    </time>
  );
}

/**
 * The owners of a row as links to their entity pages, titled as the catalog
 * presents them (icon, title, full ref on hover), from the table's one
 * presentation lookup.
 */
function OwnerLinks(props: {
  owners: string[];
  presentations: EntityPresentations;
  linkTo: (ref: string) => string;
}) {
  const classes = useStyles();
  return (
    <>
      {props.owners.map((ref, i) => {
        const p = props.presentations.get(ref);
        const Icon = p?.Icon;
        return (
          <Fragment key={ref}>
            {i > 0 && ', '}
            <Link to={props.linkTo(ref)} title={p?.secondaryTitle}>
              <span className={classes.owner}>
                {Icon && (
                  <span className={classes.ownerIcon}>
                    <Icon fontSize="inherit" />
                  </span>
                )}
                {p?.primaryTitle ?? ref}
              </span>
            </Link>
          </Fragment>
        );
      })}
    </>
  );
}

/** Secondary facts under the model's name: task, framework, version, consumers. */
function facts(item: ModelSearchItem, entity: Entity): string {
  const model = readModel(entity);
  const consumers = consumerRefs(entity).length;
  return [
    model.task,
    model.framework,
    item.tier.version ? `v${item.tier.version}` : 'no version yet',
    `${consumers} consumer${consumers === 1 ? '' : 's'}`,
  ]
    .filter(Boolean)
    .join(' · ');
}

const ownerRefs = (entity: Entity) =>
  getEntityRelations(entity, RELATION_OWNED_BY).map(r => stringifyEntityRef(r));

/**
 * The models of a hub page: few wide columns, sortable headers. Rendered
 * again only when its props change (not when facet counts arrive), with one
 * route lookup and one owner presentation lookup for all rows.
 */
export const ModelResultsTable = memo(function ResultsTable(props: {
  items: ModelSearchItem[];
  columns: HubColumn[];
  sort: ModelSearchSort;
  order: 'asc' | 'desc';
  onSort: (sort: ModelSearchSort) => void;
}) {
  const classes = useStyles();
  const { items, columns, sort, order, onSort } = props;
  const entityLink = useEntityRefLink();
  const owners = items.map(item => ownerRefs(item.entity));
  const presentations = useEntityPresentations(owners.flat(), {
    defaultKind: 'group',
  });
  const header = (key: 'model' | HubColumn, label: string) => (
    <TableCell
      key={key}
      className={key === 'model' ? classes.model : classes.head}
      sortDirection={sort === SORT_OF[key] ? order : false}
    >
      <TableSortLabel
        active={sort === SORT_OF[key]}
        direction={sort === SORT_OF[key] ? order : 'asc'}
        onClick={() => onSort(SORT_OF[key])}
      >
        {label}
      </TableSortLabel>
    </TableCell>
  );
  return (
    <Table size="small" aria-label="Models" className={classes.table}>
      <TableHead>
        <TableRow>
          {header('model', 'Model')}
          {columns.map(c => header(c, HUB_COLUMNS[c]))}
        </TableRow>
      </TableHead>
      <TableBody>
        {items.map((item, index) => {
          const entity = withTier(item);
          const model = readModel(entity);
          const community =
            describeTier(getTierStatus(entity)).variant === 'community';
          const cells: Record<HubColumn, JSX.Element> = {
            tier: (
              <TableCell key="tier" className={classes.nowrap}>
                <Tooltip title={item.tier.reason}>
                  <span>
                    <TierBadge entity={entity} />
                  </span>
                </Tooltip>
                {community && (
                  <Typography
                    variant="caption"
                    display="block"
                    color="textSecondary"
                  >
                    Use at your own risk
                  </Typography>
                )}
              </TableCell>
            ),
            owner: (
              <TableCell key="owner">
                {owners[index].length ? (
                  <OwnerLinks
                    owners={owners[index]}
                    presentations={presentations}
                    linkTo={entityLink}
                  />
                ) : (
                  model.owner ?? '—'
                )}
              </TableCell>
            ),
            lifecycle: (
              <TableCell key="lifecycle" className={classes.nowrap}>
                {model.lifecycle ?? '—'}
              </TableCell>
            ),
            license: (
              <TableCell key="license">{model.license ?? '—'}</TableCell>
            ),
            activity: (
              <TableCell key="activity" className={classes.nowrap}>
                <Activity entity={entity} />
              </TableCell>
            ),
          };
          return (
            <TableRow key={entity.metadata.uid ?? entity.metadata.name}>
              <TableCell className={classes.model}>
                <Link to={entityLink(entity)}>
                  {entity.metadata.title ?? entity.metadata.name}
                </Link>
                {entity.metadata.description && (
                  <Typography variant="body2" color="textSecondary">
                    {entity.metadata.description}
                  </Typography>
                )}
                <Typography
                  variant="caption"
                  color="textSecondary"
                  display="block"
                  className={classes.facts}
                >
                  {facts(item, entity)}
                </Typography>
              </TableCell>
              {columns.map(c => cells[c])}
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
});
