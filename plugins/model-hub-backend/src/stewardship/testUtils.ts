import { Entity } from '@backstage/catalog-model';
import { StewardshipDigest, StewardshipNotifier } from './notifier';
import { StewardshipTask } from './types';

/**
 * Test catalog entities carrying the relations the catalog would emit for
 * them (both directions), as well as their spec fields.
 */

function ref(kind: string, name: string) {
  return `${kind}:default/${name}`;
}

/** A User; `departed` sets `modelhub.io/departed: "true"`. */
export function user(
  name: string,
  groups: string[],
  options: { departed?: boolean } = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: {
      name,
      namespace: 'default',
      ...(options.departed
        ? { annotations: { 'modelhub.io/departed': 'true' } }
        : {}),
    },
    spec: { memberOf: groups },
    relations: groups.map(g => ({
      type: 'memberOf',
      targetRef: ref('group', g),
    })),
  };
}

/** A Group with `hasMember` relations to its members. */
export function group(name: string, members: string[]): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: { type: 'team', children: [], members },
    relations: members.map(m => ({
      type: 'hasMember',
      targetRef: ref('user', m),
    })),
  };
}

/** A service Component owned by a group, depending on models. */
export function component(
  name: string,
  owner: string,
  dependsOn: string[],
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default' },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: ref('group', owner),
      dependsOn: dependsOn.map(m => ref('model', m)),
    },
    relations: [
      { type: 'ownedBy', targetRef: ref('group', owner) },
      ...dependsOn.map(m => ({
        type: 'dependsOn',
        targetRef: ref('model', m),
      })),
    ],
  };
}

/**
 * A Model with a complete model card, owned by `owner`, stewarded by
 * `steward`; `dependencyOf` lists the components depending on it (the
 * relation the catalog emits from the components' `dependsOn`).
 */
export function model(
  name: string,
  options: {
    owner?: string;
    steward?: string;
    lifecycle?: string;
    successor?: string;
    lastActivity?: string;
    dependencyOf?: string[];
  } = {},
): Entity {
  const owner = options.owner ?? 'ml-platform';
  return {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: {
      name,
      namespace: 'default',
      description: `The ${name} model.`,
      annotations: {
        'modelhub.io/last-activity': options.lastActivity ?? '2026-05-01',
      },
    },
    spec: {
      type: 'classifier',
      task: 'tabular-classification',
      owner: ref('group', owner),
      steward: ref('user', options.steward ?? 'alice'),
      lifecycle: options.lifecycle ?? 'production',
      tier: 'official',
      license: 'Apache-2.0',
      intendedUse: 'Scoring churn risk of subscribers.',
      limitations: 'Trained on EU customers only.',
      ...(options.successor
        ? { successor: ref('model', options.successor) }
        : {}),
    },
    relations: [
      { type: 'ownedBy', targetRef: ref('group', owner) },
      {
        type: 'hasSteward',
        targetRef: ref('user', options.steward ?? 'alice'),
      },
      ...(options.dependencyOf ?? []).map(c => ({
        type: 'dependencyOf',
        targetRef: ref('component', c),
      })),
    ],
  };
}

/** A notifier that records what it was asked to send; can be told to fail. */
export class RecordingNotifier implements StewardshipNotifier {
  readonly opened: StewardshipTask[] = [];
  readonly grouped: Array<{ assignee: string; tasks: StewardshipTask[] }> = [];
  /** Assignees whose notifications always fail. */
  readonly failingAssignees = new Set<string>();
  readonly digests: StewardshipDigest[] = [];
  failNext = 0;

  async taskOpened(task: StewardshipTask): Promise<void> {
    if (this.failingAssignees.has(task.assignee)) {
      throw new Error('notifications backend unavailable');
    }
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('notifications backend unavailable');
    }
    this.opened.push(task);
  }

  async tasksOpened(assignee: string, tasks: StewardshipTask[]): Promise<void> {
    if (this.failingAssignees.has(assignee) || this.failNext > 0) {
      this.failNext = Math.max(0, this.failNext - 1);
      throw new Error('notifications backend unavailable');
    }
    this.grouped.push({ assignee, tasks });
  }

  async digest(digest: StewardshipDigest): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('notifications backend unavailable');
    }
    this.digests.push(digest);
  }
}
