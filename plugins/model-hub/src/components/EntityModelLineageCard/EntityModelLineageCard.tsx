import { Entity } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListSubheader from '@material-ui/core/ListSubheader';
import Typography from '@material-ui/core/Typography';
import {
  RELATION_DERIVED_FROM,
  RELATION_TRAINED_ON,
  consumerRefs,
  readModel,
  relationTargets,
  resolveSpecRef,
} from '../../lib/model';

/** Base model and training data refs, from relations or else from the spec. */
export function lineageOf(entity: Entity): {
  base: string[];
  baseRelation?: string;
  datasets: string[];
  consumers: string[];
} {
  const model = readModel(entity);
  let base = relationTargets(entity, RELATION_DERIVED_FROM);
  if (base.length === 0 && model.baseModel) {
    const ref = resolveSpecRef(entity, 'baseModel', model.baseModel.ref);
    base = ref ? [ref] : [];
  }
  let datasets = relationTargets(entity, RELATION_TRAINED_ON);
  if (datasets.length === 0) {
    datasets = model.trainingData.flatMap(
      r => resolveSpecRef(entity, 'trainingData', r) ?? [],
    );
  }
  return {
    base,
    baseRelation: model.baseModel?.relation,
    datasets,
    consumers: consumerRefs(entity),
  };
}

function RefList(props: {
  title: string;
  refs: string[];
  empty: string;
  suffix?: string;
}) {
  return (
    <List
      dense
      aria-label={props.title}
      subheader={<ListSubheader disableSticky>{props.title}</ListSubheader>}
    >
      {props.refs.length === 0 ? (
        <ListItem>
          <Typography variant="body2" color="textSecondary">
            {props.empty}
          </Typography>
        </ListItem>
      ) : (
        props.refs.map(ref => (
          <ListItem key={ref}>
            <EntityRefLink entityRef={ref} />
            {props.suffix && (
              <Typography variant="body2" component="span">
                &nbsp;({props.suffix})
              </Typography>
            )}
          </ListItem>
        ))
      )}
    </List>
  );
}

/** Entity card showing where a model comes from and who uses it. */
export function EntityModelLineageCard(props: { title?: string }) {
  const { entity } = useEntity();
  const { base, baseRelation, datasets, consumers } = lineageOf(entity);
  return (
    <InfoCard title={props.title ?? 'Lineage'}>
      <RefList
        title="Base model"
        refs={base}
        suffix={baseRelation}
        empty="No base model: trained from scratch or not declared."
      />
      <RefList
        title="Training data"
        refs={datasets}
        empty="No training data declared."
      />
      <RefList
        title="Consumers"
        refs={consumers}
        empty="No catalog entity declares a dependency on this model."
      />
    </InfoCard>
  );
}
