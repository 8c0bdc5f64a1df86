import { promises as fs } from 'node:fs';
import path from 'node:path';
import { runGauntletCheck } from '../../check';
import {
  checkContext,
  checkFile,
  model,
  REPO_ROOT,
  safetensors,
} from '../testUtils';
import { evaluateOnnxClassifier } from './onnxEvaluation';
import { performanceCheck } from './performanceCheck';

jest.setTimeout(30_000);

const EXAMPLE = path.join(REPO_ROOT, 'examples/artifacts/sentiment-classifier');

async function exampleFiles() {
  return [
    await checkFile(
      'model.onnx',
      await fs.readFile(path.join(EXAMPLE, 'model.onnx')),
    ),
    await checkFile(
      'eval/benchmark.csv',
      await fs.readFile(path.join(EXAMPLE, 'benchmark.csv')),
    ),
  ];
}

/** Metrics computed in plain JavaScript by build.js, independently of onnxruntime. */
async function expectedMetrics(): Promise<{
  accuracy: number;
  f1: number;
  precision: number;
  recall: number;
}> {
  return JSON.parse(
    await fs.readFile(path.join(EXAMPLE, 'metrics.json'), 'utf8'),
  );
}

const benchmarkAnnotations = {
  'modelhub.io/benchmark-file': 'eval/benchmark.csv',
};

function onnxModel(
  metrics: Array<{ name: string; value: number }>,
  tier: 'official' | 'community' = 'official',
) {
  return model(
    {
      tier,
      framework: 'onnx',
      metrics: metrics.map(m => ({
        ...m,
        dataset: 'resource:default/product-reviews-holdout',
      })),
    },
    { annotations: benchmarkAnnotations },
  );
}

const thresholds = {
  modelHub: {
    gauntlet: {
      performance: {
        thresholds: {
          'text-classification': {
            official: { accuracy: 0.85, f1: 0.85 },
            community: { accuracy: 0.7 },
          },
        },
      },
    },
  },
};

describe('evaluateOnnxClassifier', () => {
  it('measures the example model exactly as the plain-JS reference does', async () => {
    const expected = await expectedMetrics();
    const result = await evaluateOnnxClassifier(
      await fs.readFile(path.join(EXAMPLE, 'model.onnx')),
      await fs.readFile(path.join(EXAMPLE, 'benchmark.csv')).then(b => [b]),
      { labelColumn: 'label' },
    );
    expect(result.rows).toBe(200);
    expect(result.featureColumns).toEqual(['f0', 'f1', 'f2', 'f3']);
    expect(result.accuracy).toBeCloseTo(expected.accuracy, 4);
    expect(result.f1).toBeCloseTo(expected.f1, 4);
    expect(result.precision).toBeCloseTo(expected.precision, 4);
    expect(result.recall).toBeCloseTo(expected.recall, 4);
  });
});

describe('performanceCheck', () => {
  it('passes when the claimed metrics match what the hub measures', async () => {
    const expected = await expectedMetrics();
    const result = await runGauntletCheck(
      performanceCheck,
      checkContext({
        entity: onnxModel([
          { name: 'accuracy', value: expected.accuracy },
          { name: 'f1', value: 0.87 },
        ]),
        files: await exampleFiles(),
        config: thresholds,
      }),
    );
    expect(result.status).toBe('pass');
    expect(result.summary).toContain(
      'Measured on 200 benchmark rows: accuracy 0.88',
    );
    expect(result.metrics?.measured_accuracy).toBeCloseTo(0.88, 4);
    expect(result.evidence.selfReported).toBe(false);
  });

  it('fails an overclaimed accuracy with both numbers in the evidence', async () => {
    const result = await runGauntletCheck(
      performanceCheck,
      checkContext({
        entity: onnxModel([{ name: 'accuracy', value: 0.97 }]),
        files: await exampleFiles(),
        config: thresholds,
      }),
    );
    expect(result.status).toBe('fail');
    expect(result.summary).toContain(
      'claimed accuracy 0.97 but the hub measured 0.88 on eval/benchmark.csv (gap 0.09 > tolerance 0.02)',
    );
    expect(result.evidence.comparisons).toEqual([
      {
        metric: 'accuracy',
        claimed: 0.97,
        measured: 0.88,
        gap: 0.09,
        tolerance: 0.02,
        ok: false,
      },
    ]);
  });

  it('fails a measured metric below the tier threshold', async () => {
    const result = await runGauntletCheck(
      performanceCheck,
      checkContext({
        entity: onnxModel([{ name: 'accuracy', value: 0.88 }]),
        files: await exampleFiles(),
        config: {
          modelHub: {
            gauntlet: {
              performance: {
                thresholds: {
                  'text-classification': { official: { accuracy: 0.9 } },
                },
              },
            },
          },
        },
      }),
    );
    expect(result.status).toBe('fail');
    expect(result.summary).toBe('accuracy 0.88 < 0.9 (measured)');
  });

  it('fails self-reported metrics for official and warns for community', async () => {
    const files = [await checkFile('model.safetensors', safetensors([1, 2]))];
    const metrics = [
      { name: 'accuracy', value: 0.9 },
      { name: 'F1', value: 0.9 },
    ];
    const entity = (tier: 'official' | 'community') =>
      model({
        tier,
        metrics: metrics.map(m => ({ ...m, dataset: 'resource:default/x' })),
      });
    const official = await runGauntletCheck(
      performanceCheck,
      checkContext({ entity: entity('official'), files, config: thresholds }),
    );
    expect(official.status).toBe('fail');
    expect(official.summary).toBe(
      'metrics are self-reported (no benchmark is declared for the hub to re-run); the official tier needs hub-measured metrics or a waiver',
    );
    const community = await runGauntletCheck(
      performanceCheck,
      checkContext({ entity: entity('community'), files, config: thresholds }),
    );
    expect(community.status).toBe('warn');
    expect(community.evidence.selfReported).toBe(true);
  });

  it('fails a declared benchmark that is not in the version', async () => {
    const result = await runGauntletCheck(
      performanceCheck,
      checkContext({
        entity: onnxModel([{ name: 'accuracy', value: 0.88 }]),
        files: [(await exampleFiles())[0]],
      }),
    );
    expect(result.status).toBe('fail');
    expect(result.summary).toBe(
      'benchmark file eval/benchmark.csv is not in version 1.0.0',
    );
  });

  it('fails a benchmark whose columns do not fit the model', async () => {
    const [onnx] = await exampleFiles();
    const csv = await checkFile(
      'eval/benchmark.csv',
      Buffer.from('f0,f1,label\n0.1,0.2,1\n'),
    );
    const result = await runGauntletCheck(
      performanceCheck,
      checkContext({
        entity: onnxModel([{ name: 'accuracy', value: 1 }]),
        files: [onnx, csv],
      }),
    );
    expect(result.status).toBe('fail');
    expect(result.summary).toMatch(
      /^the benchmark could not be re-run: onnxruntime failed on the benchmark \(2 features\)/,
    );
  });

  it('does not apply to a community model with no metrics and no thresholds', async () => {
    const result = await runGauntletCheck(
      performanceCheck,
      checkContext({ entity: model() }),
    );
    expect(result.status).toBe('not-applicable');
  });
});

describe('readBenchmarkDeclaration', () => {
  it('re-runs an evaluation file with labels and no predictions (the example sentiment model)', async () => {
    const expected = await expectedMetrics();
    const entity = model({
      tier: 'official',
      framework: 'onnx',
      metrics: [
        {
          name: 'accuracy',
          value: expected.accuracy,
          dataset: 'resource:default/product-reviews-holdout',
        },
        {
          name: 'f1',
          value: expected.f1,
          dataset: 'resource:default/product-reviews-holdout',
        },
      ],
      evaluation: {
        file: 'eval/benchmark.csv',
        labelColumn: 'label',
        positiveLabel: 1,
      },
    });
    const result = await runGauntletCheck(
      performanceCheck,
      checkContext({ entity, files: await exampleFiles(), config: thresholds }),
    );
    expect(result.status).toBe('pass');
    expect(result.evidence.comparisons).toHaveLength(2);
  });
});
