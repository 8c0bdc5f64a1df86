import { ModelVersion } from '@internal/plugin-model-hub-common';
import { createVersionActivitySource } from './sources';

function version(
  createdAt: string,
  sealedAt?: string,
): Pick<ModelVersion, 'createdAt' | 'sealedAt'> {
  return sealedAt ? { createdAt, sealedAt } : { createdAt };
}

describe('createVersionActivitySource', () => {
  it('takes the latest creation or seal time of any version as the last version activity', async () => {
    const versions: Record<string, Array<Partial<ModelVersion>>> = {
      'model:default/churn': [
        version('2026-03-01T00:00:00.000Z', '2026-03-02T00:00:00.000Z'),
        version('2026-01-01T00:00:00.000Z', '2026-01-05T00:00:00.000Z'),
      ],
      'model:default/draft-only': [version('2026-04-01T00:00:00.000Z')],
      'model:default/none': [],
    };
    const source = createVersionActivitySource({
      listVersions: async ref => (versions[ref] ?? []) as ModelVersion[],
    });
    expect(await source.getActivity(Object.keys(versions))).toEqual({
      'model:default/churn': {
        lastVersionAt: new Date('2026-03-02T00:00:00.000Z'),
      },
      'model:default/draft-only': {
        lastVersionAt: new Date('2026-04-01T00:00:00.000Z'),
      },
    });
  });
});
