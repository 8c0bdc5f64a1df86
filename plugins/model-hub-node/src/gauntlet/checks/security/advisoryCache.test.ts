import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runGauntletCheck } from '../../check';
import { checkContext, checkFile, model, safetensors } from '../testUtils';
import { loadAdvisoryDatabase } from './advisories';
import { AdvisoryDatabaseCache } from './advisoryCache';
import { securityCheck } from './securityCheck';

function record(id: string, fixed: string) {
  return JSON.stringify({
    id,
    summary: `${id} summary`,
    affected: [
      {
        package: { ecosystem: 'PyPI', name: 'torch' },
        ranges: [
          { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] },
        ],
      },
    ],
    database_specific: { severity: 'HIGH' },
  });
}

describe('AdvisoryDatabaseCache', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'advisories-'));
    await fs.mkdir(path.join(dir, 'pypi'));
    await fs.writeFile(path.join(dir, 'pypi/A-1.json'), record('A-1', '2.0.0'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('loads once, and again only when a record is added, changed or removed', async () => {
    const load = jest.fn(loadAdvisoryDatabase);
    const cache = new AdvisoryDatabaseCache(load);
    const first = await cache.get(dir);
    const [again, concurrent] = await Promise.all([
      cache.get(dir),
      cache.get(dir),
    ]);
    expect(load).toHaveBeenCalledTimes(1);
    expect(again).toBe(first);
    expect(concurrent).toBe(first);

    await fs.writeFile(path.join(dir, 'pypi/B-2.json'), record('B-2', '3.0.0'));
    expect((await cache.get(dir)).records).toBe(2);
    expect(load).toHaveBeenCalledTimes(2);

    // Same size, new content and a later modification time.
    await fs.writeFile(path.join(dir, 'pypi/B-2.json'), record('B-3', '3.0.0'));
    const later = new Date(Date.now() + 5000);
    await fs.utimes(path.join(dir, 'pypi/B-2.json'), later, later);
    const changed = await cache.get(dir);
    expect(load).toHaveBeenCalledTimes(3);
    expect(
      changed.byPackage
        .get('torch')
        ?.map(r => r.id)
        .sort(),
    ).toEqual(['A-1', 'B-3']);

    await fs.rm(path.join(dir, 'pypi/A-1.json'));
    expect((await cache.get(dir)).records).toBe(1);
    expect(load).toHaveBeenCalledTimes(4);

    // Files that are not records do not count.
    await fs.writeFile(path.join(dir, 'README.md'), 'notes');
    await cache.get(dir);
    expect(load).toHaveBeenCalledTimes(4);
  });

  it('the security check sees a new advisory without a restart', async () => {
    const files = [
      await checkFile('model.safetensors', safetensors([1])),
      await checkFile('requirements.txt', Buffer.from('torch==2.5.0\n')),
    ];
    const run = () =>
      runGauntletCheck(
        securityCheck,
        checkContext({
          entity: model(),
          files,
          tier: 'community',
          config: {
            modelHub: { gauntlet: { security: { advisoryDirectory: dir } } },
          },
        }),
      );
    const before = await run();
    expect(before.status).toBe('pass');
    expect(before.summary).toContain(
      '1 pinned dependencies without known advisories',
    );
    await fs.writeFile(path.join(dir, 'pypi/C-9.json'), record('C-9', '2.6.0'));
    const after = await run();
    expect(after.status).toBe('fail');
    expect(after.reason).toContain('C-9');
  });
});
