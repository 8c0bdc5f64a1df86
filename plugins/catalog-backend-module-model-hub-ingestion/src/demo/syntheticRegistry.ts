import { FakeMlflowRegistry } from './FakeMlflowServer';

const TEAMS = [
  'group:default/ml-platform',
  'group:default/customer-support',
  'group:default/marketing',
  'group:default/logistics',
  'group:default/quality',
];
const KINDS = [
  {
    stem: 'churn',
    task: 'tabular-classification',
    type: 'classifier',
    framework: 'xgboost',
  },
  {
    stem: 'demand',
    task: 'time-series-forecasting',
    type: 'forecasting',
    framework: 'lightgbm',
  },
  {
    stem: 'ticket-router',
    task: 'text-classification',
    type: 'classifier',
    framework: 'transformers',
  },
  {
    stem: 'defect',
    task: 'image-classification',
    type: 'vision',
    framework: 'pytorch',
  },
  {
    stem: 'embedder',
    task: 'feature-extraction',
    type: 'embedding',
    framework: 'onnx',
  },
];
const LICENSES = ['Apache-2.0', 'MIT', 'LicenseRef-example-proprietary'];

/**
 * A deterministic MLflow registry of `count` models for load tests and
 * demos: realistic names, owners spread over the example teams, task /
 * type / framework / license tags, two READY versions each (every seventh
 * model also has a `PENDING_REGISTRATION` one, every eleventh is archived).
 */
export function syntheticMlflowRegistry(count: number): FakeMlflowRegistry {
  const registry: FakeMlflowRegistry = { models: [], versions: [] };
  for (let i = 0; i < count; i++) {
    const kind = KINDS[i % KINDS.length];
    const name = `${kind.stem}-${String(i).padStart(5, '0')}`;
    const archived = i % 11 === 10;
    const created = Date.UTC(2026, 0, 1) + i * 60_000;
    registry.models.push({
      name,
      description: `Synthetic ${kind.type} #${i} for ${kind.task}.`,
      creation_timestamp: created,
      last_updated_timestamp: created + 3_600_000,
      tags: [
        { key: 'owner', value: TEAMS[i % TEAMS.length] },
        { key: 'task', value: kind.task },
        { key: 'type', value: kind.type },
        { key: 'framework', value: kind.framework },
        { key: 'license', value: LICENSES[i % LICENSES.length] },
      ],
      aliases: [{ alias: 'champion', version: '2' }],
    });
    for (const version of ['1', '2']) {
      let stage = version === '2' ? 'Production' : 'None';
      if (archived) stage = 'Archived';
      registry.versions.push({
        name,
        version,
        status: 'READY',
        current_stage: stage,
        creation_timestamp: created + Number(version) * 1000,
        source: `s3://mlflow-artifacts/${name}/${version}/model`,
        run_id: `${i.toString(16).padStart(8, '0')}${version}`,
      });
    }
    if (i % 7 === 6) {
      registry.versions.push({
        name,
        version: '3',
        status: 'PENDING_REGISTRATION',
        current_stage: 'None',
      });
    }
  }
  return registry;
}
