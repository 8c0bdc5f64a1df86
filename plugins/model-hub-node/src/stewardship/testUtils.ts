import { Entity } from '@backstage/catalog-model';
import {
  MODEL_HUB_ANNOTATIONS,
  ModelEntityV1alpha1,
  ModelSpecV1alpha1,
} from '@internal/plugin-model-hub-common';
import { createStewardshipCatalog } from './catalog';
import { resolveStewardshipConfig } from './config';
import { evaluateStewardship } from './evaluate';
import {
  ModelActivity,
  ModelCompliance,
  StewardshipCondition,
  StewardshipConditionKind,
} from './types';

/** A Model with a complete model card, owned by ml-platform, stewarded by alice. */
export function model(
  name: string,
  spec: Partial<ModelSpecV1alpha1> = {},
  metadata: Partial<Entity['metadata']> = {},
): ModelEntityV1alpha1 {
  return {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: {
      name,
      description: `The ${name} model.`,
      annotations: { [MODEL_HUB_ANNOTATIONS.lastActivity]: '2026-01-15' },
      ...metadata,
    },
    spec: {
      type: 'classifier',
      task: 'tabular-classification',
      owner: 'group:default/ml-platform',
      steward: 'user:default/alice',
      lifecycle: 'production',
      tier: 'official',
      license: 'Apache-2.0',
      intendedUse: 'Scoring churn risk of subscribers for retention offers.',
      limitations: 'Trained on EU customers only.',
      ...spec,
    },
  };
}

/** A User; `memberOf` goes to `spec.memberOf` unless `viaRelations` is set. */
export function user(
  name: string,
  options: {
    memberOf?: string[];
    viaRelations?: boolean;
    departed?: boolean;
  } = {},
): Entity {
  const memberOf = options.memberOf ?? [];
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: {
      name,
      ...(options.departed
        ? { annotations: { [MODEL_HUB_ANNOTATIONS.departed]: 'true' } }
        : {}),
    },
    spec: options.viaRelations ? {} : { memberOf },
    ...(options.viaRelations
      ? {
          relations: memberOf.map(g => ({
            type: 'memberOf',
            targetRef: g.includes(':') ? g : `group:default/${g}`,
          })),
        }
      : {}),
  };
}

/** A Group, optionally listing members in `spec.members` or as `hasMember` relations. */
export function group(
  name: string,
  options: { members?: string[]; viaRelations?: boolean } = {},
): Entity {
  const members = options.members ?? [];
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name },
    spec: {
      type: 'team',
      children: [],
      ...(options.viaRelations ? {} : { members }),
    },
    ...(options.viaRelations
      ? {
          relations: members.map(u => ({
            type: 'hasMember',
            targetRef: `user:default/${u}`,
          })),
        }
      : {}),
  };
}

/** A service Component; dependencies in `spec.dependsOn` unless `viaRelations`. */
export function component(
  name: string,
  owner: string,
  dependsOn: string[] = [],
  viaRelations = false,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner,
      ...(viaRelations ? {} : { dependsOn }),
    },
    ...(viaRelations
      ? {
          relations: [
            ...dependsOn.map(t => ({ type: 'dependsOn', targetRef: t })),
            { type: 'ownedBy', targetRef: owner },
          ],
        }
      : {}),
  };
}

/**
 * The test organisation: ml-platform (alice via spec.memberOf, bob via a
 * relation, dave departed), search-team (erin), ads-team (frank, via the
 * group's spec.members), empty-team (nobody), ghost-team (only departed
 * carol), and the governance group.
 */
export function orgEntities(): Entity[] {
  return [
    group('ml-platform'),
    group('search-team'),
    group('ads-team', { members: ['frank'] }),
    group('empty-team'),
    group('ghost-team'),
    group('ai-governance', { members: ['gina'] }),
    user('alice', { memberOf: ['ml-platform'] }),
    user('bob', { memberOf: ['ml-platform'], viaRelations: true }),
    user('dave', { memberOf: ['ml-platform'], departed: true }),
    user('carol', { memberOf: ['ghost-team'], departed: true }),
    user('erin', { memberOf: ['search-team'] }),
    user('frank'),
    user('gina'),
    user('hank'),
  ];
}

/** The instant most tests evaluate at. */
export const NOW = new Date('2026-06-01T12:00:00.000Z');

/** The default config. */
export const CONFIG = resolveStewardshipConfig();

/** Evaluates with the test org plus extra catalog entities. */
export function evaluate(options: {
  models: ModelEntityV1alpha1[];
  entities?: Entity[];
  now?: Date;
  activity?: Record<string, ModelActivity>;
  compliance?: Record<string, ModelCompliance>;
  config?: Parameters<typeof resolveStewardshipConfig>[0];
}): StewardshipCondition[] {
  return evaluateStewardship(
    {
      now: options.now ?? NOW,
      models: options.models,
      catalog: createStewardshipCatalog([
        ...orgEntities(),
        ...(options.entities ?? []),
      ]),
      activity: options.activity,
      compliance: options.compliance,
    },
    options.config ? resolveStewardshipConfig(options.config) : CONFIG,
  );
}

/** The conditions of one kind. */
export function ofKind(
  conditions: StewardshipCondition[],
  kind: StewardshipConditionKind,
): StewardshipCondition[] {
  return conditions.filter(c => c.kind === kind);
}
