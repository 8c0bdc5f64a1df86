import {
  parseSearchParams,
  searchPredicate,
  searchSelection,
} from './searchQuery';

describe('searchSelection', () => {
  it('writes plain facet values in the catalog filter form, with archived models left out by lifecycle', () => {
    expect(
      searchSelection(
        parseSearchParams({
          task: 'text-generation',
          owner: ['group:default/a', 'group:default/b'],
        }),
      ),
    ).toEqual({
      filter: {
        kind: ['model'],
        'spec.task': ['text-generation'],
        'relations.ownedBy': ['group:default/a', 'group:default/b'],
        'spec.lifecycle': ['experimental', 'production', 'deprecated'],
      },
    });
    // A chosen lifecycle (or archived=true) replaces the default.
    expect(
      searchSelection(parseSearchParams({ lifecycle: 'archived' })),
    ).toEqual({
      filter: { kind: ['model'], 'spec.lifecycle': ['archived'] },
    });
    expect(searchSelection(parseSearchParams({ archived: 'true' }))).toEqual({
      filter: { kind: ['model'] },
    });
    // A facet's own counts leave its filter out.
    expect(
      searchSelection(
        parseSearchParams({ task: 'fill-mask', framework: 'b' }),
        'task',
      ),
    ).toEqual({
      filter: {
        kind: ['model'],
        'spec.framework': ['b'],
        'spec.lifecycle': ['experimental', 'production', 'deprecated'],
      },
    });
  });

  it('sends a value the filter form would split or rewrite as a predicate', () => {
    for (const value of ['a,kind=group', 'a\u0000b', 'tab\there']) {
      const params = parseSearchParams({ license: value, task: 'fill-mask' });
      expect(searchSelection(params)).toEqual({
        query: searchPredicate(params),
      });
    }
  });
});
