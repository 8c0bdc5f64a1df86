import { ReactNode } from 'react';
import { Entity } from '@backstage/catalog-model';
import { InfoCard, MarkdownContent } from '@backstage/core-components';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import {
  ModelEvaluationView,
  readModel,
  resolveSpecRef,
} from '../../lib/model';

function Section(props: {
  title: string;
  children: ReactNode;
  empty?: string;
}) {
  const hasContent = Boolean(props.children);
  return (
    <Grid item xs={12} component="section" aria-label={props.title}>
      <Typography variant="subtitle2" component="h3">
        {props.title}
      </Typography>
      {hasContent ? (
        props.children
      ) : (
        <Typography variant="body2" color="textSecondary">
          {props.empty ?? 'Not documented.'}
        </Typography>
      )}
    </Grid>
  );
}

function Field(props: { label: string; value?: ReactNode }) {
  return (
    <Grid item xs={6} md={3}>
      <Typography variant="caption" color="textSecondary" component="div">
        {props.label}
      </Typography>
      <Typography variant="body2" component="div">
        {props.value ?? '—'}
      </Typography>
    </Grid>
  );
}

function Text(props: { text: string }) {
  return <MarkdownContent content={props.text} />;
}

function RefOrText(props: {
  entity: Entity;
  field: 'baseModel' | 'trainingData' | 'metricDataset' | 'evaluationDataset';
  value: string;
}) {
  const full = resolveSpecRef(props.entity, props.field, props.value);
  return full ? <EntityRefLink entityRef={full} /> : <>{props.value}</>;
}

function Evaluation(props: {
  entity: Entity;
  evaluation: ModelEvaluationView;
}) {
  const { entity, evaluation: e } = props;
  const rows: Array<[string, ReactNode]> = [];
  if (e.dataset) {
    rows.push([
      'Dataset',
      <RefOrText entity={entity} field="evaluationDataset" value={e.dataset} />,
    ]);
  }
  if (e.file) rows.push(['Predictions file', <code>{e.file}</code>]);
  if (e.labelColumn) rows.push(['Label column', <code>{e.labelColumn}</code>]);
  if (e.predictionColumn) {
    rows.push(['Prediction column', <code>{e.predictionColumn}</code>]);
  }
  if (e.positiveLabel !== undefined) {
    rows.push(['Positive label', <code>{e.positiveLabel}</code>]);
  }
  if (e.sensitiveAttributes.length > 0) {
    rows.push(['Sensitive attributes', e.sensitiveAttributes.join(', ')]);
  }
  if (rows.length === 0) {
    return null;
  }
  return (
    <Table size="small" aria-label="Evaluation setup">
      <TableBody>
        {rows.map(([label, value]) => (
          <TableRow key={label}>
            <TableCell component="th" scope="row">
              {label}
            </TableCell>
            <TableCell>{value}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/**
 * The birth certificate of a model: what it is for and not for, its
 * limitations, license, lineage and metrics, straight from the entity.
 */
export function ModelCardContent(props: { entity: Entity }) {
  const { entity } = props;
  const model = readModel(entity);

  return (
    <Grid container spacing={2}>
      <Field label="Type" value={model.type} />
      <Field label="Task" value={model.task} />
      <Field label="Framework" value={model.framework} />
      <Field
        label="License (SPDX)"
        value={model.license ? <code>{model.license}</code> : undefined}
      />
      <Section title="Purpose" empty="No description.">
        {entity.metadata.description && (
          <Text text={entity.metadata.description} />
        )}
      </Section>
      <Section title="Intended use">
        {model.intendedUse && <Text text={model.intendedUse} />}
      </Section>
      <Section title="Out-of-scope use">
        {model.outOfScopeUse && <Text text={model.outOfScopeUse} />}
      </Section>
      <Section title="Limitations">
        {model.limitations && <Text text={model.limitations} />}
      </Section>
      <Section title="Base model" empty="Trained from scratch (no base model).">
        {model.baseModel && (
          <Typography variant="body2">
            <RefOrText
              entity={entity}
              field="baseModel"
              value={model.baseModel.ref}
            />
            {model.baseModel.relation && ` (${model.baseModel.relation})`}
          </Typography>
        )}
      </Section>
      <Section title="Training data" empty="No training data declared.">
        {model.trainingData.length > 0 && (
          <ul>
            {model.trainingData.map(ref => (
              <li key={ref}>
                <RefOrText entity={entity} field="trainingData" value={ref} />
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Metrics" empty="No metrics reported.">
        {model.metrics.length > 0 && (
          <Table size="small" aria-label="Metrics">
            <TableHead>
              <TableRow>
                <TableCell>Metric</TableCell>
                <TableCell align="right">Value</TableCell>
                <TableCell>Dataset</TableCell>
                <TableCell>Slice</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {model.metrics.map((m, i) => (
                <TableRow
                  key={`${m.name}-${m.dataset ?? ''}-${m.slice ?? ''}-${i}`}
                >
                  <TableCell>{m.name}</TableCell>
                  <TableCell align="right">{String(m.value)}</TableCell>
                  <TableCell>
                    {m.dataset ? (
                      <RefOrText
                        entity={entity}
                        field="metricDataset"
                        value={m.dataset}
                      />
                    ) : (
                      '—'
                    )}
                  </TableCell>
                  <TableCell>{m.slice ?? 'all'}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Section>
      <Section title="Evaluation" empty="No evaluation set up.">
        {model.evaluation && (
          <Evaluation entity={entity} evaluation={model.evaluation} />
        )}
      </Section>
    </Grid>
  );
}

/** Entity card showing the model card of the current Model entity. */
export function EntityModelCard(props: { title?: string }) {
  const { entity } = useEntity();
  return (
    <InfoCard title={props.title ?? 'Model card'}>
      <ModelCardContent entity={entity} />
    </InfoCard>
  );
}
