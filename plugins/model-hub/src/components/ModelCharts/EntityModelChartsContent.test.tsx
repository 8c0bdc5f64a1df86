import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  FakeModelHubApi,
  modelEntity,
  modelVersion,
} from '../../__testUtils__/fixtures';
import {
  completedRun,
  fairnessResult,
  performanceResult,
} from '../../__testUtils__/gauntletRuns';
import { renderEntityCard } from '../../__testUtils__/render';
import { EntityModelChartsContent } from './EntityModelChartsContent';

jest.setTimeout(30000);

const REF = 'model:default/m';

function hub() {
  return new FakeModelHubApi({
    versions: {
      [REF]: [
        modelVersion('m', '1.0.0'),
        modelVersion('m', '1.1.0'),
        modelVersion('m', '1.2.0', { aliases: ['latest'] }),
        modelVersion('m', '1.3.0', { state: 'draft' }),
      ],
    },
    gauntletRuns: {
      [`${REF}@1.0.0`]: [
        completedRun('1.0.0', [
          performanceResult({ accuracy: 0.8, f1: 0.78 }, undefined, 'fail'),
          fairnessResult({ 'age=young': 0.6, 'age=old': 0.35 }, 'fail'),
        ]),
      ],
      [`${REF}@1.1.0`]: [
        completedRun('1.1.0', [
          performanceResult({ accuracy: 0.86, f1: 0.83 }),
        ]),
      ],
      [`${REF}@1.2.0`]: [
        completedRun('1.2.0', [
          performanceResult({ accuracy: 0.9, f1: 0.88 }),
          fairnessResult({ 'age=young': 0.55, 'age=old': 0.5 }),
        ]),
      ],
    },
  });
}

describe('EntityModelChartsContent', () => {
  it('charts each metric across sealed versions with the tier threshold, with a table', async () => {
    const { container } = await renderEntityCard(<EntityModelChartsContent />, {
      entity: modelEntity('m'),
      modelHubApi: hub(),
    });
    const table = await screen.findByRole('table', {
      name: 'accuracy per version',
    });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map(r => r.textContent)).toEqual([
      '1.0.00.8measuredno',
      '1.1.00.86measuredyes',
      '1.2.00.9measuredyes',
    ]);
    expect(
      screen.getByText('Higher is better; official threshold ≥ 0.85.'),
    ).toBeInTheDocument();
    // The chart itself: an SVG line per metric and the threshold line.
    const figure = screen.getByRole('img', {
      name: /^accuracy across versions/,
    });
    expect(figure.querySelector('.recharts-line')).not.toBeNull();
    expect(figure.querySelector('.recharts-reference-line')).not.toBeNull();
    expect(
      screen.getByRole('img', { name: /^f1 across versions/ }),
    ).toBeInTheDocument();
    // Drafts are not charted.
    expect(container.textContent).not.toContain('1.3.0');
  });

  it('shows selection rate per group of the latest version with the allowed disparity, and another version on request', async () => {
    await renderEntityCard(<EntityModelChartsContent />, {
      entity: modelEntity('m'),
      modelHubApi: hub(),
    });
    const table = await screen.findByRole('table', {
      name: 'Selection rate per group of version 1.2.0',
    });
    expect(
      within(table).getByRole('row', { name: /age=old/ }),
    ).toHaveTextContent('age=old1000.5yes');
    expect(
      screen.getByText(
        /allowed disparity 0.1: every group's selection rate at least 0.45/,
      ),
    ).toBeInTheDocument();
    expect(
      screen
        .getByRole('img', { name: /^Selection rate per group, version 1.2.0/ })
        .querySelectorAll('.recharts-bar-rectangle'),
    ).toHaveLength(2);

    await userEvent.click(screen.getByLabelText('Fairness of version'));
    await userEvent.click(await screen.findByRole('option', { name: '1.0.0' }));
    const older = await screen.findByRole('table', {
      name: 'Selection rate per group of version 1.0.0',
    });
    expect(
      within(older).getByRole('row', { name: /age=old/ }),
    ).toHaveTextContent('age=old1000.35no');
  });

  it('shows the table instead of the chart on request', async () => {
    await renderEntityCard(<EntityModelChartsContent />, {
      entity: modelEntity('m'),
      modelHubApi: hub(),
    });
    await screen.findByRole('table', { name: 'accuracy per version' });
    const figure = screen.getByRole('figure', {
      name: 'accuracy across versions',
    });
    await userEvent.click(
      within(figure).getByRole('button', { name: 'Show table' }),
    );
    expect(within(figure).queryByRole('img')).not.toBeInTheDocument();
    expect(
      within(figure).getByRole('table').parentElement!.style.position,
    ).toBe('');
  });

  it('says when nothing is sealed', async () => {
    await renderEntityCard(<EntityModelChartsContent />, {
      entity: modelEntity('m'),
      modelHubApi: new FakeModelHubApi({
        versions: { [REF]: [modelVersion('m', '0.1.0', { state: 'draft' })] },
      }),
    });
    expect(await screen.findByText('No evaluations yet')).toBeInTheDocument();
  });
});
