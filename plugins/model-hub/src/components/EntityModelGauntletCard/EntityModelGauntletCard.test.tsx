import { screen } from '@testing-library/react';
import { modelEntity } from '../../__testUtils__/fixtures';
import { renderEntityCard } from '../../__testUtils__/render';
import { EntityModelGauntletCard } from './EntityModelGauntletCard';

describe('EntityModelGauntletCard', () => {
  it('says honestly that the gauntlet has not run', async () => {
    await renderEntityCard(<EntityModelGauntletCard />, {
      entity: modelEntity('m', { spec: { tier: 'official' } }),
    });
    expect(
      screen.getByText(
        'The compliance gauntlet has not run for this model yet',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/official tier this model requests is not earned/),
    ).toBeInTheDocument();
  });

  it('shows the recorded status without inventing per-check results', async () => {
    await renderEntityCard(<EntityModelGauntletCard />, {
      entity: modelEntity('m', {
        metadata: { annotations: { 'modelhub.io/gauntlet-status': 'failed' } },
      }),
    });
    expect(screen.getByText('failed')).toBeInTheDocument();
    expect(
      screen.getByText(/Per-check results are not available/),
    ).toBeInTheDocument();
  });
});
