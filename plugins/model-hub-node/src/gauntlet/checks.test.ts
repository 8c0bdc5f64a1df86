import { Readable } from 'node:stream';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import {
  ModelEntityV1alpha1,
  ModelVersion,
} from '@internal/plugin-model-hub-common';
import {
  GauntletCheck,
  GauntletCheckContext,
  GauntletCheckFile,
  runGauntletCheck,
} from './check';
import { fairnessCheck } from './fairness';
import { collectInheritedLicenses, licenseCheck } from './license';

const logger = {
  error: jest.fn(),
  warn: jest.fn(),
  info: jest.fn(),
  debug: jest.fn(),
  child() {
    return logger;
  },
};

function model(
  spec: Partial<ModelEntityV1alpha1['spec']>,
  name = 'churn',
): ModelEntityV1alpha1 {
  return {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: { name, namespace: 'default' },
    spec: {
      type: 'classifier',
      task: 'tabular-classification',
      owner: 'group:default/ml',
      lifecycle: 'production',
      tier: 'community',
      license: 'MIT',
      ...spec,
    },
  };
}

function dataset(name: string, license: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name, namespace: 'default' },
    spec: {
      type: 'dataset',
      owner: 'group:default/ml',
      dataset: { license, source: { location: 's3://data/x/' }, pii: 'none' },
    },
  };
}

function file(path: string, content: string): GauntletCheckFile {
  return {
    path,
    size: Buffer.byteLength(content),
    sha256: '0'.repeat(64),
    format: 'unknown',
    scan: {
      path,
      format: 'unknown',
      verdict: 'unsupported',
      sha256: '0'.repeat(64),
      size: 0,
      findings: [],
    },
    uploadedBy: 'user:default/a',
    uploadedAt: '2026-01-01T00:00:00Z',
    open: async () => Readable.from([Buffer.from(content)]),
  };
}

function context(
  entity: ModelEntityV1alpha1,
  opts: {
    files?: GauntletCheckFile[];
    catalog?: Entity[];
    config?: object;
    tier?: 'official' | 'community' | 'external';
  } = {},
): GauntletCheckContext {
  const version: ModelVersion = {
    entityRef: 'model:default/churn',
    version: '1.0.0',
    state: 'sealed',
    files: opts.files ?? [],
    aliases: [],
    scanVerdict: 'safe',
    createdBy: 'user:default/a',
    createdAt: '2026-01-01T00:00:00Z',
  };
  const byRef = new Map(
    (opts.catalog ?? []).map(e => [
      `${e.kind.toLocaleLowerCase('en-US')}:${e.metadata.namespace}/${
        e.metadata.name
      }`,
      e,
    ]),
  );
  return {
    entity,
    version,
    files: opts.files ?? [],
    catalog: { getEntityByRef: async ref => byRef.get(ref) },
    config: new ConfigReader(opts.config ?? {}),
    tier: opts.tier ?? entity.spec.tier,
    logger,
  };
}

/** 50 rows per (sex, outcome) cell; `rate` gives each sex's share of positive predictions. */
function evaluationCsv(rates: Record<string, number>, perGroup = 100): string {
  const lines = ['label,prediction,sex'];
  for (const [sex, rate] of Object.entries(rates)) {
    for (let i = 0; i < perGroup; i++) {
      const label = i % 2;
      const predicted = i < rate * perGroup ? 1 : 0;
      lines.push(`${label},${predicted},${sex}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const evaluation = {
  file: 'eval/predictions.csv',
  labelColumn: 'label',
  predictionColumn: 'prediction',
  sensitiveAttributes: ['sex'],
  positiveLabel: 1,
};

describe('fairness check', () => {
  it('passes a fair model', async () => {
    const ctx = context(model({ evaluation }), {
      files: [file('eval/predictions.csv', evaluationCsv({ F: 0.5, M: 0.52 }))],
    });
    const result = await runGauntletCheck(fairnessCheck, ctx);
    expect(result.status).toBe('pass');
    expect(result.metrics?.demographic_parity_difference).toBeCloseTo(0.02, 10);
    expect(result.evidence).toMatchObject({
      file: 'eval/predictions.csv',
      rows: 200,
      violations: [],
    });
  });

  it('fails when a threshold is exceeded, with tier thresholds from config', async () => {
    const files = [
      file('eval/predictions.csv', evaluationCsv({ F: 0.3, M: 0.5 })),
    ];
    const failed = await runGauntletCheck(
      fairnessCheck,
      context(model({ evaluation }), { files }),
    );
    expect(failed.status).toBe('fail');
    expect(failed.summary).toMatch(/demographic parity difference 0.2 > 0.1/);
    expect(failed.summary).toMatch(/disparate impact ratio 0.6 < 0.8/);
    const lenient = await runGauntletCheck(
      fairnessCheck,
      context(model({ evaluation }), {
        files,
        config: {
          modelHub: {
            gauntlet: {
              fairness: {
                community: {
                  maxDemographicParityDifference: 0.25,
                  maxEqualizedOddsDifference: 0.5,
                  minDisparateImpactRatio: 0.5,
                },
              },
            },
          },
        },
      }),
    );
    expect(lenient.status).toBe('pass');
  });

  it('warns on insufficient data instead of passing', async () => {
    const ctx = context(model({ evaluation }), {
      files: [
        file('eval/predictions.csv', evaluationCsv({ F: 0.5, M: 0.5 }, 20)),
      ],
    });
    const result = await runGauntletCheck(fairnessCheck, ctx);
    expect(result.status).toBe('warn');
    expect(result.summary).toBe(
      'Insufficient data: no two groups of sex have at least 30 rows',
    );
  });

  it('is not applicable without an evaluation, except for the official tier', async () => {
    const community = await runGauntletCheck(fairnessCheck, context(model({})));
    expect(community).toMatchObject({ status: 'not-applicable' });
    expect(community.reason).toMatch(/the community tier does not require one/);
    const official = await runGauntletCheck(
      fairnessCheck,
      context(model({ tier: 'official' })),
    );
    expect(official).toMatchObject({
      status: 'fail',
      summary: 'The official tier requires a fairness evaluation',
    });
  });

  it('fails clearly when the evaluation file is missing or malformed', async () => {
    const missing = await runGauntletCheck(
      fairnessCheck,
      context(model({ evaluation })),
    );
    expect(missing).toMatchObject({
      status: 'fail',
      summary: 'Evaluation file eval/predictions.csv is not in version 1.0.0',
    });
    const malformed = await runGauntletCheck(
      fairnessCheck,
      context(model({ evaluation }), {
        files: [file('eval/predictions.csv', 'label,pred,sex\n1,1,F\n')],
      }),
    );
    expect(malformed.status).toBe('fail');
    expect(malformed.summary).toBe(
      'Evaluation file eval/predictions.csv cannot be evaluated: column "prediction" is not in the CSV header (columns: label, pred, sex)',
    );
  });
});

describe('license check', () => {
  it('passes an allowed license and lists obligations', async () => {
    const result = await runGauntletCheck(
      licenseCheck,
      context(model({ license: 'Apache-2.0' })),
    );
    expect(result).toMatchObject({
      status: 'pass',
      summary: 'Apache-2.0: allowed for internal use',
    });
    expect(result.evidence.obligations).toEqual([
      'Keep the copyright and license notices',
    ]);
  });

  it('uses commercial use for the official tier', async () => {
    const result = await runGauntletCheck(
      licenseCheck,
      context(model({ license: 'GPL-3.0-only', tier: 'official' })),
    );
    expect(result.status).toBe('fail');
    expect(result.summary).toMatch(
      /^GPL-3.0-only: not allowed for commercial use/,
    );
  });

  it('fails a model whose base model or training data forbid the use', async () => {
    const base = model(
      { license: 'CC-BY-NC-4.0', trainingData: ['web-crawl'] },
      'base',
    );
    const entity = model({
      license: 'MIT',
      baseModel: { ref: 'base', relation: 'fine-tune' },
      trainingData: ['resource:default/tickets'],
    });
    const catalog = [
      base,
      dataset('tickets', 'CC-BY-4.0'),
      dataset('web-crawl', 'CC-BY-SA-4.0'),
    ];
    expect(
      await collectInheritedLicenses(
        entity,
        context(entity, { catalog }).catalog,
      ),
    ).toEqual([
      { from: 'resource:default/tickets', expression: 'CC-BY-4.0' },
      { from: 'model:default/base', expression: 'CC-BY-NC-4.0' },
      { from: 'resource:default/web-crawl', expression: 'CC-BY-SA-4.0' },
    ]);
    const result = await runGauntletCheck(
      licenseCheck,
      context(entity, { catalog }),
    );
    expect(result.status).toBe('fail');
    expect(result.summary).toMatch(
      /^MIT: not allowed for internal use: inherited from model:default\/base/,
    );
  });

  it('warns when inherited licenses cannot be verified, and stops at cycles', async () => {
    const a = model(
      { license: 'MIT', baseModel: { ref: 'b', relation: 'merge' } },
      'a',
    );
    const b = model(
      { license: 'MIT', baseModel: { ref: 'a', relation: 'merge' } },
      'b',
    );
    const inherited = await collectInheritedLicenses(
      a,
      context(a, { catalog: [b] }).catalog,
    );
    expect(inherited).toEqual([
      { from: 'model:default/b', expression: 'MIT' },
      { from: 'model:default/a', unavailable: 'base model chain has a cycle' },
    ]);
    const missing = model({ trainingData: ['gone'] });
    const result = await runGauntletCheck(licenseCheck, context(missing));
    expect(result.status).toBe('warn');
    expect(result.reason).toContain(
      'resource:default/gone: training dataset not found in the catalog',
    );
  });

  it('fails an invalid expression with a clear message', async () => {
    const result = await runGauntletCheck(
      licenseCheck,
      context(model({ license: 'Apache 2.0' })),
    );
    expect(result).toMatchObject({
      status: 'fail',
      summary:
        'Invalid license: "Apache 2.0" is not a valid SPDX expression: "Apache" is not an SPDX license id (custom terms must be written LicenseRef-<id>)',
    });
  });
});

describe('runGauntletCheck', () => {
  const check = (run: GauntletCheck['run']): GauntletCheck => ({
    id: 'custom',
    title: 'Custom',
    description: 'test',
    version: '1',
    run,
  });

  it('turns exceptions and malformed results into error results', async () => {
    const ctx = context(model({}));
    expect(
      await runGauntletCheck(
        check(async () => {
          throw new Error('boom');
        }),
        ctx,
      ),
    ).toMatchObject({
      status: 'error',
      summary: 'The custom check failed to run: boom',
    });
    const malformed = await runGauntletCheck(
      check(
        async () =>
          ({ status: 'not-applicable', summary: 'x', evidence: {} } as any),
      ),
      ctx,
    );
    expect(malformed).toMatchObject({
      status: 'error',
      summary:
        'The custom check returned a malformed result: a not-applicable result needs a reason',
    });
    const nan = await runGauntletCheck(
      check(async () => ({
        status: 'pass',
        summary: 'x',
        evidence: {},
        metrics: { m: NaN },
      })),
      ctx,
    );
    expect(nan.summary).toMatch(/metric m is not a finite number/);
  });
});
