import { hfRepoIdOf } from './repoId';

const entity = (namespace: string | undefined, owner?: string) => ({
  metadata: { name: 'sentiment', ...(namespace ? { namespace } : {}) },
  spec: owner === undefined ? {} : { owner },
});

describe('hfRepoIdOf', () => {
  it('takes the entity namespace unless it is default, else the owner name (auto)', () => {
    expect(hfRepoIdOf(entity('nlp', 'group:default/ml-team'))).toEqual({
      namespace: 'nlp',
      name: 'sentiment',
    });
    expect(hfRepoIdOf(entity('default', 'ml-team'))).toEqual({
      namespace: 'ml-team',
      name: 'sentiment',
    });
    expect(hfRepoIdOf(entity(undefined, 'group:other/ml-team'))).toEqual({
      namespace: 'ml-team',
      name: 'sentiment',
    });
    expect(hfRepoIdOf(entity('default', 'user:default/alice'))).toEqual({
      namespace: 'alice',
      name: 'sentiment',
    });
  });

  it('follows the configured mode', () => {
    const e = entity('nlp', 'ml-team');
    expect(hfRepoIdOf(e, 'namespace').namespace).toBe('nlp');
    expect(hfRepoIdOf(e, 'owner').namespace).toBe('ml-team');
    expect(hfRepoIdOf(entity('default', 'ml-team'), 'namespace')).toEqual({
      namespace: 'default',
      name: 'sentiment',
    });
  });

  it('falls back to the entity namespace without a usable owner', () => {
    expect(hfRepoIdOf(entity('default'), 'owner').namespace).toBe('default');
    expect(hfRepoIdOf(entity('default', ''), 'owner').namespace).toBe(
      'default',
    );
  });
});
