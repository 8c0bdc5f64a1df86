import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  grantsMembership,
  isInOwningTeam,
  MAX_GROUP_DEPTH,
  sameRef,
  teamDirectory,
} from './membership';
import { catalogGroup, catalogUser } from '../__testUtils__/orgEntities';

function directoryOver(entities: Entity[]) {
  const catalog = catalogServiceMock({ entities });
  const spy = jest.spyOn(catalog, 'getEntitiesByRefs');
  return {
    directory: teamDirectory(catalog, mockServices.auth()),
    calls: () => spy.mock.calls.length,
  };
}

describe('team membership', () => {
  it('names one user under any spelling of the ref', () => {
    expect(sameRef('user:jane', 'User:default/Jane')).toBe(true);
    expect(sameRef('jane', 'user:default/jane')).toBe(true);
    expect(sameRef('user:default/jane', 'user:other/jane')).toBe(false);
    expect(sameRef('group:default/jane', 'user:default/jane')).toBe(false);
  });

  it('walks the parent chain one catalog call per level, however wide', async () => {
    const { directory, calls } = directoryOver([
      catalogGroup('root'),
      catalogGroup('a', 'root'),
      catalogGroup('b', 'root'),
      catalogGroup('a1', 'a'),
      catalogGroup('b1', 'b'),
    ]);
    const all = await directory.withAncestors([
      'group:default/a1',
      'group:default/b1',
    ]);
    expect([...all].sort()).toEqual(
      ['a', 'a1', 'b', 'b1', 'root'].map(g => `group:default/${g}`),
    );
    expect(calls()).toBe(3);
  });

  it('ends on a cycle and after the depth cap', async () => {
    const cycle = directoryOver([
      catalogGroup('x', 'y'),
      catalogGroup('y', 'x'),
    ]);
    expect(
      [...(await cycle.directory.withAncestors(['group:default/x']))].sort(),
    ).toEqual(['group:default/x', 'group:default/y']);
    expect(cycle.calls()).toBe(2);

    const chain = Array.from({ length: MAX_GROUP_DEPTH + 5 }, (_, i) =>
      catalogGroup(`g${i}`, `g${i + 1}`),
    );
    const deep = directoryOver(chain);
    const all = await deep.directory.withAncestors(['group:default/g0']);
    expect(deep.calls()).toBe(MAX_GROUP_DEPTH);
    expect(all.has(`group:default/g${MAX_GROUP_DEPTH}`)).toBe(true);
    expect(all.has(`group:default/g${MAX_GROUP_DEPTH + 1}`)).toBe(false);
  });

  it('counts the owning user, and sub-team members, in the owning team', async () => {
    const { directory } = directoryOver([catalogGroup('nlp', 'ml-platform')]);
    const inTeam = (actor: string, team: string, claims: string[] = []) =>
      isInOwningTeam({ actor, team, claims, user: undefined, directory });
    expect(await inTeam('user:default/jane', 'user:default/Jane')).toBe(true);
    expect(await inTeam('user:default/joe', 'user:default/jane')).toBe(false);
    expect(
      await inTeam('user:default/joe', 'ml-platform', ['group:default/nlp']),
    ).toBe(true);
    expect(
      await inTeam('user:default/joe', 'nlp', ['group:default/ml-platform']),
    ).toBe(false);
  });

  it('grants by direct catalog membership when the catalog holds the user, by claims otherwise', () => {
    const claims = ['user:default/joe', 'group:default/ai-governance'];
    const actor = 'user:default/joe';
    const group_ = 'group:default/ai-governance';
    expect(
      grantsMembership({ actor, group: group_, user: undefined, claims }),
    ).toBe(true);
    expect(
      grantsMembership({
        actor,
        group: group_,
        user: catalogUser('joe', []),
        claims,
      }),
    ).toBe(false);
    expect(
      grantsMembership({
        actor,
        group: group_,
        user: catalogUser('joe', ['ai-governance']),
        claims: [],
      }),
    ).toBe(true);
  });
});
