import path from 'node:path';
import { runGauntletCheck } from '../../check';
import {
  BENIGN_PICKLE,
  checkContext,
  checkFile,
  MALICIOUS_PICKLE,
  model,
  REPO_ROOT,
  safetensors,
} from '../testUtils';
import { findAdvisories, loadAdvisoryDatabase } from './advisories';
import { comparePep440Strings } from './pep440';
import { parseRequirements } from './requirements';
import { securityCheck } from './securityCheck';

const ADVISORIES = path.join(REPO_ROOT, 'examples/advisories');
const withAdvisories = {
  modelHub: { gauntlet: { security: { advisoryDirectory: ADVISORIES } } },
};

describe('PEP 440 ordering', () => {
  it.each([
    ['2.5.1', '2.6.0', -1],
    ['2.6.0', '2.6', 0],
    ['2.6.0rc1', '2.6.0', -1],
    ['2.6.0a1', '2.6.0b1', -1],
    ['2.6.0b2', '2.6.0rc1', -1],
    ['2.6.0.dev1', '2.6.0a1', -1],
    ['2.6.0', '2.6.0.post1', -1],
    ['2.5.1+cu121', '2.5.1', 0],
    ['1!0.1', '2.0', 1],
    ['10.1.0', '9.0.0', 1],
  ])('%s vs %s is %i', (a, b, expected) => {
    expect(Math.sign(comparePep440Strings(a, b))).toBe(expected);
  });
});

describe('parseRequirements', () => {
  it('finds pins, ranges and skips options, URLs and comments', () => {
    const parsed = parseRequirements(
      [
        '# runtime',
        'torch==2.5.1  # pinned',
        'Transformers[torch] >= 4.30, <5',
        'numpy',
        '-r other.txt',
        'pillow===10.1.0 ; python_version >= "3.9"',
        'mylib @ https://example.com/mylib.whl',
        'safetensors==0.4.*',
      ].join('\n'),
    );
    expect(
      parsed.requirements.map(r => [
        r.normalizedName,
        r.specifier,
        r.pinnedVersion,
      ]),
    ).toEqual([
      ['torch', '==2.5.1', '2.5.1'],
      ['transformers', '>=4.30,<5', undefined],
      ['numpy', '', undefined],
      ['pillow', '===10.1.0', '10.1.0'],
      ['safetensors', '==0.4.*', undefined],
    ]);
    expect(parsed.skipped.map(s => s.line)).toEqual([5, 7]);
  });
});

describe('OSV advisories', () => {
  it('matches the real torch advisory below the fixed version only', async () => {
    const db = await loadAdvisoryDatabase(ADVISORIES);
    expect(db.records).toBe(4);
    expect(db.invalid).toEqual([]);
    expect(
      findAdvisories(db, 'torch', '2.5.1').map(m => [
        m.id,
        m.aliases,
        m.fixedIn,
      ]),
    ).toEqual([['GHSA-53q9-r3pm-6pq6', ['CVE-2025-32434'], '2.6.0']]);
    expect(findAdvisories(db, 'Torch', '2.6.0rc1')).toHaveLength(1);
    expect(findAdvisories(db, 'torch', '2.6.0')).toEqual([]);
    expect(findAdvisories(db, 'PIL_low', '1.0')).toEqual([]);
    expect(
      findAdvisories(db, 'pillow', '8.4.0')
        .map(m => m.id)
        .sort(),
    ).toEqual(['GHSA-3f63-hfp8-52jq', 'GHSA-8vj2-vxx3-667w']);
    expect(findAdvisories(db, 'pillow', '10.1.0').map(m => m.id)).toEqual([
      'GHSA-3f63-hfp8-52jq',
    ]);
  });
});

describe('securityCheck', () => {
  it('passes safe safetensors weights with pinned, unaffected dependencies', async () => {
    const files = [
      await checkFile('model.safetensors', safetensors([1, 2, 3])),
      await checkFile(
        'requirements.txt',
        Buffer.from('torch==2.6.0\ntransformers==4.46.1\n'),
      ),
    ];
    const result = await runGauntletCheck(
      securityCheck,
      checkContext({
        entity: model({ tier: 'official' }),
        files,
        config: withAdvisories,
      }),
    );
    expect(result.status).toBe('pass');
    expect(result.evidence.dependencies).toHaveLength(2);
  });

  it('fails a version with an unsafe file, naming the finding', async () => {
    const files = [await checkFile('model.pkl', MALICIOUS_PICKLE)];
    const result = await runGauntletCheck(
      securityCheck,
      checkContext({ entity: model(), files, tier: 'community' }),
    );
    expect(result.status).toBe('fail');
    expect(result.summary).toMatch(/model\.pkl is unsafe \((critical|high) /);
  });

  it('fails pickle-based weights for official but not for community', async () => {
    const files = [await checkFile('weights.pkl', BENIGN_PICKLE)];
    const official = await runGauntletCheck(
      securityCheck,
      checkContext({ entity: model(), files, tier: 'official' }),
    );
    expect(official.status).toBe('fail');
    expect(official.summary).toContain(
      'weights.pkl is pickle, a weight format that can execute code',
    );
    const community = await runGauntletCheck(
      securityCheck,
      checkContext({ entity: model(), files, tier: 'community' }),
    );
    expect(community.status).toBe('pass');
  });

  it('fails an unscannable file for official and warns for community', async () => {
    const truncated = safetensors([1, 2, 3, 4]).subarray(0, 40);
    const files = [
      await checkFile('model.safetensors', safetensors([1])),
      await checkFile('broken.safetensors', truncated),
    ];
    expect(files[1].scan.verdict).toBe('error');
    const official = await runGauntletCheck(
      securityCheck,
      checkContext({ entity: model(), files, tier: 'official' }),
    );
    expect(official.status).toBe('fail');
    expect(official.summary).toContain(
      'broken.safetensors could not be scanned',
    );
    const community = await runGauntletCheck(
      securityCheck,
      checkContext({ entity: model(), files, tier: 'community' }),
    );
    expect(community.status).toBe('warn');
  });

  it('fails a vulnerable pinned dependency with the advisory and severity', async () => {
    const files = [
      await checkFile('model.safetensors', safetensors([1])),
      await checkFile('requirements.txt', Buffer.from('torch==2.5.1\n')),
    ];
    const result = await runGauntletCheck(
      securityCheck,
      checkContext({ entity: model(), files, config: withAdvisories }),
    );
    expect(result.status).toBe('fail');
    expect(result.summary).toContain(
      'torch==2.5.1 (requirements.txt:1) is affected by GHSA-53q9-r3pm-6pq6 (CVE-2025-32434), severity CRITICAL',
    );
    expect(result.summary).toContain('fixed in 2.6.0');
    expect(result.metrics?.vulnerable_dependencies).toBe(1);
  });

  it('warns on unpinned dependencies and on a missing advisory directory', async () => {
    const files = [
      await checkFile('model.safetensors', safetensors([1])),
      await checkFile('requirements.txt', Buffer.from('numpy>=1.26\n')),
    ];
    const unpinned = await runGauntletCheck(
      securityCheck,
      checkContext({ entity: model(), files, config: withAdvisories }),
    );
    expect(unpinned.status).toBe('warn');
    expect(unpinned.summary).toContain(
      'numpy>=1.26 (requirements.txt:1) is not pinned',
    );
    const noDb = await runGauntletCheck(
      securityCheck,
      checkContext({ entity: model(), files }),
    );
    expect(noDb.status).toBe('warn');
    expect(noDb.reason).toContain('no advisory directory configured');
  });

  it('reports an unreadable advisory directory as an error', async () => {
    const files = [
      await checkFile('requirements.txt', Buffer.from('torch==2.5.1\n')),
    ];
    const result = await runGauntletCheck(
      securityCheck,
      checkContext({
        entity: model(),
        files,
        config: {
          modelHub: {
            gauntlet: {
              security: { advisoryDirectory: '/nonexistent/advisories' },
            },
          },
        },
      }),
    );
    expect(result.status).toBe('error');
    expect(result.summary).toContain('/nonexistent/advisories');
  });
});
