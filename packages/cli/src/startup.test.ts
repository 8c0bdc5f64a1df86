import { execFile } from 'node:child_process';
import { CLI } from './__testUtils__/runCli';

/**
 * Runs `model-hub ARGS…` and lists the packages it loaded (from
 * `require.cache`) once the command has parsed its arguments.
 */
function packagesLoaded(args: string[]): Promise<string[]> {
  const script = `
    process.argv = [process.argv[0], ${JSON.stringify(
      CLI,
    )}, ...${JSON.stringify(args)}];
    process.on('exit', () => {
      const names = new Set();
      for (const file of Object.keys(require.cache)) {
        const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(file);
        if (m) names.add(m[1]);
      }
      process.stderr.write('LOADED ' + JSON.stringify([...names]) + '\\n');
    });
    require(${JSON.stringify(CLI)});
  `;
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['-e', script],
      { timeout: 30_000 },
      (error, _stdout, stderr) => {
        const line = stderr.split('\n').find(l => l.startsWith('LOADED '));
        if (!line) reject(error ?? new Error(stderr));
        else resolve(JSON.parse(line.slice('LOADED '.length)));
      },
    ),
  );
}

describe('CLI start-up', () => {
  // @backstage/catalog-model evaluates every kind's schema and ajv when
  // required: ~0.2–0.5 s on each transfer command, a tenth of a pull.
  it.each([['pull'], ['publish']])(
    '%s loads neither @backstage/catalog-model nor ajv',
    async command => {
      const loaded = await packagesLoaded([command, '--help']);
      expect(loaded).toContain('commander');
      expect(loaded).not.toContain('@backstage/catalog-model');
      expect(loaded).not.toContain('ajv');
    },
  );
});
