import { createStewardshipCatalog, isDepartedUser } from './catalog';
import { component, group, orgEntities, user } from './testUtils';

const names = (entities: { metadata: { name: string } }[]) =>
  entities.map(e => e.metadata.name);

describe('createStewardshipCatalog', () => {
  const catalog = createStewardshipCatalog([
    ...orgEntities(),
    group('infra', { members: ['ivan'], viaRelations: true }),
    user('ivan'),
    component('a', 'infra', ['model:default/churn']),
    component('b', 'infra', ['model:default/churn'], true),
    {
      apiVersion: 'modelhub.io/v1alpha1',
      kind: 'Model',
      metadata: { name: 'churn' },
      spec: {},
      relations: [{ type: 'dependencyOf', targetRef: 'component:default/c' }],
    },
    component('c', 'infra'),
    component('other', 'infra', ['model:default/other']),
  ]);

  it('finds members by memberOf (spec and relation) and by the group (spec and relation)', () => {
    expect(names(catalog.getGroupMembers('group:default/ml-platform'))).toEqual(
      ['alice', 'bob', 'dave'],
    );
    expect(names(catalog.getGroupMembers('group:default/ads-team'))).toEqual([
      'frank',
    ]);
    expect(names(catalog.getGroupMembers('Group:Default/Infra'))).toEqual([
      'ivan',
    ]);
    expect(catalog.getGroupMembers('group:default/empty-team')).toEqual([]);
    expect(catalog.getGroupMembers('not a ref')).toEqual([]);
  });

  it('finds dependent components by dependsOn (spec and relation) and dependencyOf', () => {
    expect(
      names(catalog.getDependentComponents('model:default/churn')),
    ).toEqual(['a', 'b', 'c']);
  });

  it('looks entities up case-insensitively', () => {
    expect(catalog.getEntity('USER:default/Alice')?.metadata.name).toBe(
      'alice',
    );
    expect(catalog.getEntity('user:default/nobody')).toBeUndefined();
  });

  it('rejects duplicate entities', () => {
    expect(() => createStewardshipCatalog([user('x'), user('X')])).toThrow(
      /Duplicate entity in stewardship catalog: user:default\/x/,
    );
  });

  it('recognizes departed users', () => {
    expect(isDepartedUser(user('d', { departed: true }))).toBe(true);
    expect(isDepartedUser(user('d'))).toBe(false);
  });
});
