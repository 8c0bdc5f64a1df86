import { screen } from '@testing-library/react';
import { modelEntity } from '../../__testUtils__/fixtures';
import { renderEntityCard } from '../../__testUtils__/render';
import { EntityModelHeaderTierBadge } from './EntityModelHeaderTierBadge';

describe('EntityModelHeaderTierBadge', () => {
  it('shows tier and lifecycle, warning about community models', async () => {
    await renderEntityCard(<EntityModelHeaderTierBadge />, {
      entity: modelEntity('m', {
        spec: { tier: 'community', lifecycle: 'experimental' },
      }),
    });
    expect(
      screen.getByLabelText('Tier: Community (declared, not yet checked)'),
    ).toBeInTheDocument();
    expect(
      screen.getByLabelText('Lifecycle: experimental'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Community model: use at your own risk.'),
    ).toBeInTheDocument();
  });

  it('shows an unearned official request as such', async () => {
    await renderEntityCard(<EntityModelHeaderTierBadge />, {
      entity: modelEntity('m', { spec: { tier: 'official' } }),
    });
    expect(
      screen.getByLabelText('Tier: Official (requested, not yet earned)'),
    ).toBeInTheDocument();
    expect(screen.queryByText(/use at your own risk/)).not.toBeInTheDocument();
  });
});
