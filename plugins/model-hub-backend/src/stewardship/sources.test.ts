import { ModelVersion } from '@internal/plugin-model-hub-common';
import {
  createGauntletComplianceSource,
  createVersionActivitySource,
} from './sources';
import { model } from './testUtils';

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

describe('createGauntletComplianceSource', () => {
  it('reads the current version, the worst result per check and the waivers that apply', async () => {
    const evaluate = jest.fn(async (entity: any) => {
      if (entity.metadata.name === 'broken') throw new Error('boom');
      if (entity.metadata.name === 'unchecked') {
        return { version: null, resultsByTier: {}, waivers: [] };
      }
      return {
        version: '2.0.0',
        resultsByTier: {
          experimental: [
            {
              checkId: 'scan-clean',
              version: '2.0.0',
              status: 'pass' as const,
            },
            {
              checkId: 'license-allowed',
              version: '2.0.0',
              status: 'warn' as const,
            },
          ],
          official: [
            {
              checkId: 'license-allowed',
              version: '2.0.0',
              status: 'fail' as const,
              summary: 'GPL-3.0 is not allowed',
            },
            { checkId: 'old', version: '1.0.0', status: 'fail' as const },
          ],
        },
        waivers: [
          {
            checkId: 'license-allowed',
            expiresAt: '2026-06-10T00:00:00.000Z',
            reason: 'legal review',
          },
          {
            checkId: 'license-allowed',
            version: '1.0.0',
            expiresAt: '2027-01-01T00:00:00.000Z',
          },
        ],
      };
    });
    const errors: string[] = [];
    const source = createGauntletComplianceSource(
      { evaluate },
      { onError: ref => errors.push(ref) },
    );
    const result = await source.getCompliance(
      [model('churn'), model('unchecked'), model('broken')],
      { now: new Date('2026-06-01T00:00:00.000Z') },
    );
    expect(result).toEqual({
      'model:default/churn': {
        currentVersion: '2.0.0',
        checks: [
          { id: 'scan-clean', status: 'pass', version: '2.0.0' },
          {
            id: 'license-allowed',
            status: 'fail',
            version: '2.0.0',
            message: 'GPL-3.0 is not allowed',
          },
        ],
        waivers: [
          {
            checkId: 'license-allowed',
            expiresAt: new Date('2026-06-10T00:00:00.000Z'),
            reason: 'legal review',
          },
        ],
      },
    });
    expect(errors).toEqual(['model:default/broken']);
  });
});
