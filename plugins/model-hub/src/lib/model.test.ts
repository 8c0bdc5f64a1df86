import { modelEntity } from '../__testUtils__/fixtures';
import { getTierStatus, readModel, usedModelRefs } from './model';

describe('model helpers', () => {
  it('reads requested and effective tiers, ignoring unknown values', () => {
    expect(
      getTierStatus(
        modelEntity('m', {
          spec: { tier: 'official' },
          metadata: {
            annotations: { 'modelhub.io/effective-tier': 'community' },
          },
        }),
      ),
    ).toEqual({ requested: 'official', effective: 'community' });
    expect(
      getTierStatus(
        modelEntity('m', {
          spec: { tier: 'gold' },
          metadata: {
            annotations: { 'modelhub.io/effective-tier': 'platinum' },
          },
        }),
      ),
    ).toEqual({ requested: undefined, effective: undefined });
  });

  it('drops malformed metrics and training data instead of crashing', () => {
    const model = readModel(
      modelEntity('m', {
        spec: {
          metrics: [
            { name: 'accuracy', value: 0.91, dataset: 'resource:default/eval' },
            { value: 3 },
            'nonsense',
          ],
          trainingData: ['resource:default/a', 42],
        },
      }),
    );
    expect(model.metrics).toEqual([
      { name: 'accuracy', value: 0.91, dataset: 'resource:default/eval' },
    ]);
    expect(model.trainingData).toEqual(['resource:default/a']);
  });

  it('finds only model targets of dependsOn', () => {
    const service = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'svc' },
      relations: [
        { type: 'dependsOn', targetRef: 'model:default/a' },
        { type: 'dependsOn', targetRef: 'resource:default/db' },
        { type: 'ownedBy', targetRef: 'model:default/b' },
      ],
    };
    expect(usedModelRefs(service)).toEqual(['model:default/a']);
  });
});
