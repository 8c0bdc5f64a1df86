import { LICENSE_EXIT } from './license';
import { runCli } from '../__testUtils__/runCli';

const run = runCli;

describe('model-hub license (real process)', () => {
  jest.setTimeout(60_000);

  it('allows a permissive license and prints the documented JSON', async () => {
    const { code, stdout } = await run([
      'license',
      'MIT OR GPL-3.0-only',
      '--json',
    ]);
    expect(code).toBe(LICENSE_EXIT.allowed);
    const doc = JSON.parse(stdout);
    expect(doc.verdict).toBe('allowed');
    expect(doc.reasons[0]).toBe(
      'MIT is permissive: allowed for commercial use',
    );
  });

  it('denies a model whose base model forbids the use', async () => {
    const { code, stdout } = await run([
      'license',
      'Apache-2.0',
      '--base',
      'CC-BY-NC-4.0',
      '--json',
    ]);
    expect(code).toBe(LICENSE_EXIT.denied);
    const doc = JSON.parse(stdout);
    expect(doc.verdict).toBe('denied');
    expect(doc.reasons[0]).toMatch(
      /^inherited from base model \(CC-BY-NC-4.0\): denied/,
    );
  });

  it('honours --use and --dataset', async () => {
    const research = await run([
      'license',
      'MIT',
      '--dataset',
      'CC-BY-NC-SA-4.0',
      '--use',
      'research',
      '--json',
    ]);
    expect(research.code).toBe(LICENSE_EXIT.allowed);
    const internal = await run([
      'license',
      'GPL-3.0-only',
      '--use',
      'internal',
    ]);
    expect(internal.code).toBe(LICENSE_EXIT.review);
    expect(internal.stdout).toMatch(/^REVIEW: GPL-3.0-only for internal use/);
  });

  it('reports invalid expressions (exit 3) and bad flags (exit 4)', async () => {
    const invalid = await run(['license', 'Apache 2.0', '--json']);
    expect(invalid.code).toBe(LICENSE_EXIT.invalid);
    expect(JSON.parse(invalid.stdout)).toMatchObject({
      verdict: 'invalid',
      reasons: [
        '"Apache 2.0" is not a valid SPDX expression: "Apache" is not an SPDX license id (custom terms must be written LicenseRef-<id>)',
      ],
    });
    const badUse = await run(['license', 'MIT', '--use', 'personal']);
    expect(badUse.code).toBe(LICENSE_EXIT.usage);
    expect(badUse.stderr).toContain(
      '--use must be one of commercial, internal, research, got "personal"',
    );
  });
});
