import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runGauntletCheck } from '../../check';
import { checkContext, checkFile, model, REPO_ROOT } from '../testUtils';
import { evaluateOnnxClassifier } from './onnxEvaluation';
import {
  ISOLATED_ENV_ALLOWLIST,
  isolatedEnv,
  runIsolatedNodeScript,
} from './isolatedProcess';
import { performanceCheck } from './performanceCheck';

jest.setTimeout(30_000);

const EXAMPLE = path.join(REPO_ROOT, 'examples/artifacts/sentiment-classifier');
const SECRETS = {
  POSTGRES_PASSWORD: 'db-secret',
  AWS_SECRET_ACCESS_KEY: 'aws-secret',
  BACKEND_SECRET: 'token-secret',
  MODEL_HUB_TOKEN: 'hub-token',
  HF_TOKEN: 'hf_secret',
};

describe('the isolated model process', () => {
  const saved = { ...process.env };
  let dir: string;
  beforeEach(async () => {
    Object.assign(process.env, SECRETS);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'isolated-'));
  });
  afterEach(async () => {
    for (const key of Object.keys(process.env)) {
      if (!(key in saved)) delete process.env[key];
    }
    Object.assign(process.env, saved);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('sees none of the parent environment beyond the allowlist', async () => {
    const script = path.join(dir, 'printEnv.js');
    await fs.writeFile(
      script,
      'process.stdout.write(JSON.stringify(process.env));',
    );
    const { stdout } = await runIsolatedNodeScript(script, [], {
      timeoutMs: 20_000,
    });
    const childEnv = JSON.parse(stdout) as Record<string, string>;
    const allowed = new Set([...ISOLATED_ENV_ALLOWLIST, 'HOME', 'TMPDIR']);
    expect(Object.keys(childEnv).filter(k => !allowed.has(k))).toEqual([]);
    for (const secret of Object.values(SECRETS)) {
      expect(stdout).not.toContain(secret);
    }
    expect(childEnv.HOME).toBe(os.tmpdir());
  });

  it('runs the real ONNX worker with a poisoned NODE_OPTIONS in the parent', async () => {
    // Inherited, this would make the child fail to start.
    process.env.NODE_OPTIONS = '--require /nonexistent/preload-hook.js';
    expect(isolatedEnv().NODE_OPTIONS).toBeUndefined();
    const result = await evaluateOnnxClassifier(
      await fs.readFile(path.join(EXAMPLE, 'model.onnx')),
      [await fs.readFile(path.join(EXAMPLE, 'benchmark.csv'))],
      { labelColumn: 'label' },
    );
    expect(result.rows).toBe(200);
  });
});

describe('performance check on files not scanned safe', () => {
  it.each(['error', 'unsafe', 'unsupported'] as const)(
    'never runs an ONNX file whose verdict is %s',
    async verdict => {
      const onnx = await checkFile(
        'model.onnx',
        await fs.readFile(path.join(EXAMPLE, 'model.onnx')),
      );
      expect(onnx.scan.verdict).toBe('safe');
      const files = [
        { ...onnx, scan: { ...onnx.scan, verdict } },
        await checkFile(
          'eval/benchmark.csv',
          await fs.readFile(path.join(EXAMPLE, 'benchmark.csv')),
        ),
      ];
      const result = await runGauntletCheck(
        performanceCheck,
        checkContext({
          entity: model(
            {
              tier: 'community',
              framework: 'onnx',
              metrics: [
                {
                  name: 'accuracy',
                  value: 0.88,
                  dataset: 'resource:default/product-reviews-holdout',
                },
              ],
            },
            {
              annotations: {
                'modelhub.io/benchmark-file': 'eval/benchmark.csv',
              },
            },
          ),
          files,
        }),
      );
      expect(result.status).toBe('fail');
      expect(result.summary).toContain(
        `model.onnx was not run: its scan verdict is ${verdict}`,
      );
      expect(result.evidence.benchmark).toMatchObject({
        error: `scan verdict ${verdict}`,
      });
    },
  );
});
