import { getModelSpecReferences, parseModelRef } from './refs';

describe('parseModelRef', () => {
  it('defaults kind and namespace', () => {
    expect(parseModelRef('llama-3-8b')).toEqual({
      kind: 'model',
      namespace: 'default',
      name: 'llama-3-8b',
    });
    expect(parseModelRef('Model:ml/llama-3-8b')).toEqual({
      kind: 'model',
      namespace: 'ml',
      name: 'llama-3-8b',
    });
    expect(parseModelRef('x', { defaultNamespace: 'team-a' }).namespace).toBe(
      'team-a',
    );
  });

  it('rejects refs to other kinds', () => {
    expect(() => parseModelRef('component:default/x')).toThrow(
      '"component:default/x" is not a Model ref: it names kind component',
    );
  });
});

describe('getModelSpecReferences', () => {
  it('lists every referenced entity with its field and default kind', () => {
    const refs = getModelSpecReferences({
      apiVersion: 'modelhub.io/v1alpha1',
      kind: 'Model',
      metadata: { name: 'm', namespace: 'team-a' },
      spec: {
        type: 'llm',
        task: 'text-generation',
        owner: 'ml-platform',
        steward: 'jane',
        lifecycle: 'deprecated',
        tier: 'official',
        license: 'MIT',
        system: 'default/sys',
        baseModel: { ref: 'base', relation: 'adapter' },
        trainingData: ['d1', 'resource:other/d2'],
        metrics: [{ name: 'acc', value: 1, dataset: 'd3' }],
        evaluation: { dataset: 'd4' },
        successor: 'm2',
      },
    });
    expect(
      refs.map(r => [
        r.field,
        r.path,
        `${r.target.kind}:${r.target.namespace}/${r.target.name}`,
      ]),
    ).toEqual([
      ['owner', '/spec/owner', 'group:team-a/ml-platform'],
      ['steward', '/spec/steward', 'user:team-a/jane'],
      ['system', '/spec/system', 'system:default/sys'],
      ['baseModel', '/spec/baseModel/ref', 'model:team-a/base'],
      ['trainingData', '/spec/trainingData/0', 'resource:team-a/d1'],
      ['trainingData', '/spec/trainingData/1', 'resource:other/d2'],
      ['metricDataset', '/spec/metrics/0/dataset', 'resource:team-a/d3'],
      ['evaluationDataset', '/spec/evaluation/dataset', 'resource:team-a/d4'],
      ['successor', '/spec/successor', 'model:team-a/m2'],
    ]);
  });
});
