import { GauntletResult, GauntletRun } from '../api/gauntlet';
import { ModelVersion } from '../api/types';
import { compareVersions } from './compareVersions';
import { isLowerBetter } from './metricDirection';
import { versionSnapshot } from './snapshot';

function version(
  v: string,
  files: Array<[string, string, number]>,
): ModelVersion {
  return {
    entityRef: 'model:default/m',
    version: v,
    state: 'sealed',
    files: files.map(([path, sha256, size]) => ({
      path,
      sha256,
      size,
      format: 'unknown',
      scan: {
        path,
        sha256,
        size,
        format: 'unknown',
        verdict: 'safe',
        findings: [],
      },
      uploadedBy: 'user:default/a',
      uploadedAt: '2026-01-01T00:00:00Z',
    })),
    aliases: [],
    scanVerdict: 'safe',
    createdBy: 'user:default/a',
    createdAt: '2026-01-01T00:00:00Z',
  };
}

function result(
  checkId: string,
  status: GauntletResult['status'],
  evidence: GauntletResult['evidence'] = {},
): GauntletResult {
  return {
    id: 1,
    runId: 1,
    entityRef: 'model:default/m',
    version: '1',
    tier: 'official',
    checkId,
    checkVersion: '1',
    status,
    summary: `${checkId} ${status}`,
    evidence,
    configSha256: 'c',
    inputsSha256: 'i',
    startedAt: '',
    finishedAt: '',
    durationMs: 1,
  };
}

function run(
  id: number,
  results: GauntletResult[],
  status: GauntletRun['status'] = 'completed',
  tier: GauntletRun['tier'] = 'official',
): GauntletRun {
  return {
    id,
    entityRef: 'model:default/m',
    version: '1',
    tier,
    trigger: 'sealed',
    status,
    attempts: 1,
    queuedAt: '',
    results,
  };
}

const perf = (accuracy: number, latency: number) =>
  result('performance', 'pass', {
    claimed: [
      { name: 'accuracy', value: 0.9, dataset: 'resource:default/d' },
      { name: 'latency_p95_ms', value: latency, dataset: 'resource:default/d' },
    ],
    benchmark: { measured: { accuracy, precision: null } },
    thresholds: [
      {
        metric: 'accuracy',
        bound: 'min',
        threshold: 0.8,
        value: accuracy,
        source: 'measured',
        ok: true,
      },
      {
        metric: 'latencyP95Ms',
        bound: 'max',
        threshold: 50,
        value: latency,
        source: 'self-reported',
        ok: true,
      },
    ],
  });

describe('versionSnapshot', () => {
  it('reads metrics, license, dependencies and fairness from the latest completed run', () => {
    const s = versionSnapshot(version('1.0.0', [['a.bin', 'aa', 1]]), [
      run(3, [result('security', 'pass')], 'queued'),
      run(2, [
        perf(0.85, 40),
        result('license', 'pass', { expression: 'Apache-2.0' }),
        result('security', 'warn', {
          dependencies: [
            { name: 'numpy', specifier: '==1.26.4', pinned: true },
            { name: 'torch', specifier: '>=2', pinned: false },
          ],
        }),
        result('fairness', 'fail', {
          thresholds: {
            maxDemographicParityDifference: 0.1,
            minDisparateImpactRatio: 0.8,
          },
          groups: {
            'age=young': { count: 50, selection_rate: 0.6 },
            'age=old': { count: 40, selection_rate: 0.3 },
          },
          demographic_parity_difference: 0.3,
        }),
      ]),
      run(1, [perf(0.5, 10)]),
    ]);
    expect(s.runId).toBe(2);
    expect(s.tier).toBe('official');
    expect(s.license).toBe('Apache-2.0');
    expect(s.metrics).toEqual([
      {
        name: 'accuracy',
        value: 0.85,
        source: 'measured',
        higherIsBetter: true,
        threshold: 0.8,
      },
      {
        name: 'latency_p95_ms',
        value: 40,
        source: 'claimed',
        higherIsBetter: false,
        threshold: 50,
      },
    ]);
    expect(s.dependencies.map(d => `${d.name}${d.specifier}`)).toEqual([
      'numpy==1.26.4',
      'torch>=2',
    ]);
    expect(s.fairness).toEqual({
      groups: [
        { group: 'age=old', count: 40, selectionRate: 0.3 },
        { group: 'age=young', count: 50, selectionRate: 0.6 },
      ],
      demographicParityDifference: 0.3,
      maxDemographicParityDifference: 0.1,
      disparateImpactRatio: undefined,
      minDisparateImpactRatio: 0.8,
    });
  });

  it('prefers the latest completed run of the requested tier', () => {
    const runs = [
      run(
        5,
        [result('license', 'pass', { expression: 'MIT' })],
        'completed',
        'community',
      ),
      run(
        4,
        [result('license', 'pass', { expression: 'Apache-2.0' })],
        'completed',
        'official',
      ),
      run(
        3,
        [result('license', 'pass', { expression: 'GPL-3.0' })],
        'completed',
        'official',
      ),
    ];
    const v = version('1.0.0', []);
    expect(versionSnapshot(v, runs, { tier: 'official' })).toMatchObject({
      runId: 4,
      tier: 'official',
      license: 'Apache-2.0',
    });
    expect(versionSnapshot(v, runs, { tier: 'external' })).toMatchObject({
      runId: 5,
      tier: 'community',
    });
    expect(versionSnapshot(v, runs)).toMatchObject({ runId: 5 });
  });

  it('knows only the files of a version that has no completed run', () => {
    const s = versionSnapshot(version('1.0.0', [['a', 'x', 1]]), [
      run(1, [], 'running'),
    ]);
    expect(s.tier).toBeUndefined();
    expect(s.metrics).toEqual([]);
    expect(s.files).toEqual([{ path: 'a', sha256: 'x', size: 1 }]);
  });

  it('ignores evidence of the wrong shape instead of throwing', () => {
    const s = versionSnapshot(version('1', []), [
      run(1, [
        result('performance', 'pass', {
          claimed: 'nope',
          thresholds: [1, null, { metric: 'x' }],
        }),
        result('fairness', 'pass', { groups: [] as any }),
        result('security', 'pass', { dependencies: [{ specifier: '==1' }] }),
      ]),
    ]);
    expect(s.metrics).toEqual([]);
    expect(s.fairness).toBeUndefined();
    expect(s.dependencies).toEqual([]);
  });
});

describe('compareVersions', () => {
  const a = versionSnapshot(
    version('1.0.0', [
      ['model.onnx', 'aaa', 10],
      ['README.md', 'r1', 5],
      ['old.txt', 'o', 1],
    ]),
    [
      run(1, [
        perf(0.8, 40),
        result('license', 'pass', { expression: 'MIT' }),
        result('fairness', 'pass'),
        result('provenance', 'fail'),
        result('security', 'pass', {
          dependencies: [
            { name: 'numpy', specifier: '==1.0' },
            { name: 'scipy', specifier: '==1.0' },
          ],
        }),
      ]),
    ],
  );
  const b = versionSnapshot(
    version('1.1.0', [
      ['model.onnx', 'bbb', 12],
      ['README.md', 'r1', 5],
      ['new.txt', 'n', 2],
    ]),
    [
      run(2, [
        perf(0.9, 45),
        result('license', 'pass', { expression: 'Apache-2.0' }),
        result('fairness', 'fail'),
        result('provenance', 'pass'),
        result('security', 'pass', {
          dependencies: [
            { name: 'NumPy', specifier: '==2.0' },
            { name: 'pandas', specifier: '==2.2' },
          ],
        }),
      ]),
    ],
  );
  const c = compareVersions(a, b);

  it('judges metric deltas by the direction of each metric', () => {
    expect(c.metrics).toEqual([
      expect.objectContaining({
        name: 'accuracy',
        a: 0.8,
        b: 0.9,
        direction: 'better',
        higherIsBetter: true,
      }),
      expect.objectContaining({
        name: 'latency_p95_ms',
        a: 40,
        b: 45,
        delta: 5,
        direction: 'worse',
        higherIsBetter: false,
        threshold: 50,
      }),
    ]);
    expect(c.metrics[0].delta).toBeCloseTo(0.1);
  });

  it('lists regressions first, then fixes, then unchanged checks', () => {
    expect(
      c.checks.map(x => `${x.checkId}:${x.a}->${x.b}:${x.direction}`),
    ).toEqual([
      'fairness:pass->fail:worse',
      'provenance:fail->pass:better',
      'license:pass->pass:same',
      'performance:pass->pass:same',
      'security:pass->pass:same',
    ]);
  });

  it('reports license, dependency and file changes', () => {
    expect(c.license).toEqual({ a: 'MIT', b: 'Apache-2.0', changed: true });
    expect(c.tier.changed).toBe(false);
    expect(c.dependencies.added.map(d => d.key)).toEqual(['pandas']);
    expect(c.dependencies.removed.map(d => d.key)).toEqual(['scipy']);
    expect(c.dependencies.changed).toEqual([
      {
        key: 'numpy',
        a: { name: 'numpy', specifier: '==1.0' },
        b: { name: 'NumPy', specifier: '==2.0' },
      },
    ]);
    expect(c.files.added.map(f => f.key)).toEqual(['new.txt']);
    expect(c.files.removed.map(f => f.key)).toEqual(['old.txt']);
    expect(c.files.changed.map(f => f.key)).toEqual(['model.onnx']);
    expect(c.files.unchanged).toBe(1);
  });

  it('marks metrics only one side has as added or removed', () => {
    const x = compareVersions(
      {
        ...a,
        metrics: [
          { name: 'f1', value: 1, source: 'claimed', higherIsBetter: true },
        ],
      },
      {
        ...b,
        metrics: [
          { name: 'loss', value: 1, source: 'claimed', higherIsBetter: false },
        ],
      },
    );
    expect(x.metrics.map(m => `${m.name}:${m.direction}`)).toEqual([
      'f1:removed',
      'loss:added',
    ]);
  });

  it('treats a version compared with itself as unchanged', () => {
    const same = compareVersions(a, a);
    expect(same.metrics.every(m => m.direction === 'same')).toBe(true);
    expect(same.files).toEqual({
      added: [],
      removed: [],
      changed: [],
      unchanged: 3,
    });
  });
});

describe('isLowerBetter', () => {
  it.each([
    ['latency_p95_ms', true],
    ['latencyP95Ms', true],
    ['loss', true],
    ['WER', true],
    ['accuracy', false],
    ['f1', false],
  ])('%s → %s', (name, lower) => expect(isLowerBetter(name)).toBe(lower));
});
