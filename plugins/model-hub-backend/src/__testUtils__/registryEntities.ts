import { Entity } from '@backstage/catalog-model';

/** Users of the registry tests and the groups they belong to. */
export const ALICE = 'user:default/alice'; // member of group:default/ml-team
export const BOB = 'user:default/bob'; // member of group:default/marketing
export const GROUPS: Record<string, string[]> = {
  [ALICE]: ['group:default/ml-team'],
  [BOB]: ['group:default/marketing'],
};

const group = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
});
const user = (name: string, team?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: team ? { memberOf: [team] } : {},
  ...(team
    ? { relations: [{ type: 'memberOf', targetRef: `group:default/${team}` }] }
    : {}),
});

/** A Model as the catalog holds it, managed by `location`. */
export function catalogModel(
  name: string,
  location: string,
  spec: Record<string, unknown> = {},
): Entity {
  return {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'backstage.io/managed-by-location': location,
        'backstage.io/managed-by-origin-location': location,
      },
    },
    spec: {
      type: 'classifier',
      task: 'text-classification',
      owner: 'group:default/ml-team',
      lifecycle: 'production',
      tier: 'community',
      license: 'Apache-2.0',
      ...spec,
    },
  };
}

const YAML = 'url:https://github.com/acme/models/blob/main/catalog-info.yaml';

/** The catalog of the registry tests: teams, people, a dataset and models. */
export const REGISTRY_CATALOG: Entity[] = [
  group('ml-team'),
  group('marketing'),
  user('alice', 'ml-team'),
  user('bob', 'marketing'),
  user('carol', 'ml-team'),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'invoices', namespace: 'default' },
    spec: { type: 'dataset', owner: 'group:default/ml-team' },
  },
  catalogModel('legacy-model', YAML),
  catalogModel('next-model', YAML),
  catalogModel('retired-model', YAML, {
    lifecycle: 'deprecated',
    successor: 'model:default/next-model',
  }),
  catalogModel(
    'hub-model',
    'model-hub:http://localhost:7007/api/model-hub/v1/registered-models/default/hub-model',
  ),
];

/** A valid registration body for a model named `name`. */
export function registration(
  name: string,
  spec: Record<string, unknown> = {},
  metadata: Record<string, unknown> = {},
) {
  return {
    entity: {
      apiVersion: 'modelhub.io/v1alpha1',
      kind: 'Model',
      metadata: { name, description: 'Extracts invoice fields', ...metadata },
      spec: {
        type: 'llm',
        task: 'text-generation',
        owner: 'group:default/ml-team',
        steward: 'user:default/carol',
        lifecycle: 'experimental',
        tier: 'community',
        license: 'Apache-2.0',
        trainingData: ['resource:default/invoices'],
        ...spec,
      },
    },
  };
}
