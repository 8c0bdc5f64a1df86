import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { parseRef, stringifyRef } from './entityRefs';

/** What a parser returns or throws, comparable across the two. */
function outcome(parse: () => unknown): unknown {
  try {
    return { value: parse() };
  } catch (e) {
    return { error: (e as Error).message, type: (e as Error).name };
  }
}

describe('parseRef', () => {
  const contexts = [
    {},
    { defaultKind: 'model', defaultNamespace: 'default' },
    { defaultKind: 'group' },
    { defaultNamespace: 'team-a' },
  ];
  const refs: Array<
    string | { kind?: string; namespace?: string; name: string }
  > = [
    'model:default/resnet',
    'Model:Default/ResNet',
    'default/resnet',
    'resnet',
    'model:resnet',
    'a/b:c',
    'model:ns/with/slash',
    ':default/x',
    'model:/x',
    'model:default/',
    '',
    'model:',
    { name: 'x' },
    { kind: 'Model', name: 'x' },
    { kind: 'model', namespace: 'ns', name: 'x' },
    { kind: 'model', namespace: '', name: 'x' },
    { kind: 'model', name: '' },
  ];
  it.each(refs.flatMap(r => contexts.map(c => [r, c] as const)))(
    'parses %j with %j exactly as @backstage/catalog-model does',
    (ref, context) => {
      expect(outcome(() => parseRef(ref, context))).toEqual(
        outcome(() => parseEntityRef(ref as any, context)),
      );
    },
  );

  it('stringifies exactly as @backstage/catalog-model does', () => {
    for (const r of [
      { kind: 'Model', namespace: 'Default', name: 'ResNet-50' },
      { kind: 'group', namespace: 'default', name: 'ml-platform' },
    ]) {
      expect(stringifyRef(r)).toBe(stringifyEntityRef(r));
    }
  });
});
