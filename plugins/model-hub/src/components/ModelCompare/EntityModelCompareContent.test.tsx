import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  FakeModelHubApi,
  modelEntity,
  modelVersion,
  versionFile,
} from '../../__testUtils__/fixtures';
import {
  checkResult,
  completedRun,
  performanceResult,
} from '../../__testUtils__/gauntletRuns';
import { LocationSearch, renderEntityCard } from '../../__testUtils__/render';
import { EntityModelCompareContent } from './EntityModelCompareContent';

jest.setTimeout(30000);

const REF = 'model:default/m';

function hub() {
  return new FakeModelHubApi({
    versions: {
      [REF]: [
        modelVersion('m', '2.0.0', {
          files: [
            versionFile('model.onnx', { sha256: 'a'.repeat(64) }),
            versionFile('benchmark.csv', { sha256: 'b'.repeat(64) }),
          ],
        }),
        modelVersion('m', '2.1.0', {
          aliases: ['latest'],
          files: [
            versionFile('model.onnx', { sha256: 'c'.repeat(64), size: 2048 }),
            versionFile('benchmark.csv', { sha256: 'b'.repeat(64) }),
            versionFile('README.md', { sha256: 'd'.repeat(64) }),
          ],
        }),
        modelVersion('m', '1.0.0'),
      ],
    },
    gauntletRuns: {
      [`${REF}@2.0.0`]: [
        completedRun('2.0.0', [
          performanceResult({ accuracy: 0.8, f1: 0.9 }, undefined, 'fail'),
          checkResult('license', 'pass', { expression: 'MIT' }),
          checkResult('fairness', 'pass'),
          checkResult('security', 'pass', {
            dependencies: [
              { name: 'onnxruntime', specifier: '==1.17.0' },
              { name: 'scipy', specifier: '==1.11.0' },
            ],
          }),
        ]),
      ],
      [`${REF}@2.1.0`]: [
        // Newer, but for another tier than the model requests: not compared.
        completedRun(
          '2.1.0',
          [checkResult('license', 'pass', { expression: 'GPL-3.0-only' })],
          'community',
        ),
        completedRun('2.1.0', [
          performanceResult({ accuracy: 0.88, f1: 0.8737 }),
          checkResult('license', 'pass', { expression: 'Apache-2.0' }),
          checkResult(
            'fairness',
            'fail',
            {},
            'demographic parity difference 0.2 > 0.1',
          ),
          checkResult('security', 'pass', {
            dependencies: [
              { name: 'onnxruntime', specifier: '==1.18.0' },
              { name: 'numpy', specifier: '==1.26.4' },
            ],
          }),
        ]),
      ],
    },
  });
}

function renderAt(path: string) {
  return renderEntityCard(
    <>
      <EntityModelCompareContent />
      <LocationSearch />
    </>,
    {
      entity: modelEntity('m', { spec: { tier: 'official' } }),
      modelHubApi: hub(),
      routeEntries: [path],
    },
  );
}

describe('EntityModelCompareContent', () => {
  it('compares the versions named in the URL: deltas, checks regressions first, licence, dependencies, files', async () => {
    await renderAt('/?a=2.0.0&b=2.1.0');
    const metrics = await screen.findByRole('table', {
      name: 'Metrics compared',
    });
    const accuracy = within(metrics).getByRole('row', { name: /^accuracy/ });
    expect(within(accuracy).getByText('▲ +0.08 better')).toHaveAttribute(
      'data-direction',
      'better',
    );
    const f1 = within(metrics).getByRole('row', { name: /^f1/ });
    expect(within(f1).getByText('▼ -0.0263 worse')).toHaveAttribute(
      'data-direction',
      'worse',
    );
    expect(within(f1).getByText('≥ 0.8')).toBeInTheDocument();

    const checks = screen.getByRole('table', {
      name: 'Gauntlet checks compared',
    });
    const rows = within(checks).getAllByRole('row').slice(1);
    expect(
      rows.map(r => within(r).getAllByRole('cell')[3].textContent),
    ).toEqual([
      '▼ worse', // fairness: passed → failed, first
      '▲ better', // performance: failed → passed
      'unchanged',
      'unchanged',
    ]);
    expect(within(rows[0]).getAllByRole('cell')[0]).toHaveTextContent(
      'fairness',
    );
    expect(
      within(rows[0]).getByText('demographic parity difference 0.2 > 0.1'),
    ).toBeInTheDocument();

    const tier = screen.getByRole('table', { name: 'Tier and licence' });
    const licence = within(tier).getByRole('row', { name: /Licence/ });
    expect(licence).toHaveTextContent('MIT');
    expect(licence).toHaveTextContent('Apache-2.0');
    expect(licence).toHaveTextContent('changed');
    expect(tier).not.toHaveTextContent('GPL-3.0-only');
    expect(
      within(tier).getByRole('row', { name: /Tier checked/ }),
    ).toHaveTextContent('Tier checkedofficialofficialunchanged');

    const deps = screen.getByRole('table', { name: 'Dependencies compared' });
    expect(
      within(deps).getByRole('row', { name: /added numpy/ }),
    ).toHaveTextContent('numpy==1.26.4');
    expect(
      within(deps).getByRole('row', { name: /removed scipy/ }),
    ).toBeInTheDocument();
    expect(
      within(deps).getByRole('row', { name: /changed onnxruntime/ }),
    ).toHaveTextContent('onnxruntime==1.17.0onnxruntime==1.18.0');
    expect(
      screen.getByText('1 added, 0 removed, 1 changed, 1 unchanged files'),
    ).toBeInTheDocument();
    const files = screen.getByRole('table', { name: 'Files compared' });
    expect(
      within(files).getByRole('row', { name: /added README.md/ }),
    ).toBeInTheDocument();
    expect(
      within(files).getByRole('row', { name: /changed model.onnx/ }),
    ).toBeInTheDocument();
  });

  it('defaults to latest against the version before it, and keeps a new pick in the URL', async () => {
    await renderAt('/');
    await screen.findByRole('table', { name: 'Metrics compared' });
    expect(screen.getByLabelText('Version A')).toHaveTextContent('2.0.0');
    expect(screen.getByLabelText('Version B')).toHaveTextContent(
      '2.1.0 (latest)',
    );
    await userEvent.click(screen.getByLabelText('Version A'));
    await userEvent.click(await screen.findByRole('option', { name: '1.0.0' }));
    expect(screen.getByTestId('location-search')).toHaveTextContent(
      '?a=1.0.0&b=2.1.0',
    );
    expect(await screen.findByText('Metrics')).toBeInTheDocument();
    // 1.0.0 never ran the gauntlet: every check is new in B.
    const checks = await screen.findByRole('table', {
      name: 'Gauntlet checks compared',
    });
    expect(within(checks).getAllByText('new')).toHaveLength(4);
  });

  it('needs two versions', async () => {
    await renderEntityCard(<EntityModelCompareContent />, {
      entity: modelEntity('m'),
      modelHubApi: new FakeModelHubApi({
        versions: { [REF]: [modelVersion('m', '1.0.0')] },
      }),
    });
    expect(
      await screen.findByText('Nothing to compare yet'),
    ).toBeInTheDocument();
  });
});
