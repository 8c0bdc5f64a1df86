import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { modelEntity } from '../../__testUtils__/fixtures';
import { TierBadge, describeTier } from './TierBadge';

describe('TierBadge', () => {
  it.each([
    ['official', 'official', 'Official'],
    ['community', 'community', 'Community'],
    ['external', 'external', 'External'],
  ])(
    'shows an earned %s tier from the effective-tier annotation',
    async (tier, variant, label) => {
      await renderInTestApp(
        <TierBadge
          entity={modelEntity('m', {
            spec: { tier },
            metadata: { annotations: { 'modelhub.io/effective-tier': tier } },
          })}
        />,
      );
      expect(screen.getByLabelText(`Tier: ${label}`)).toBeInTheDocument();
      expect(screen.getByTestId(`tier-badge-${variant}`)).toBeInTheDocument();
    },
  );

  it('labels a requested but unearned official tier honestly', async () => {
    await renderInTestApp(
      <TierBadge entity={modelEntity('m', { spec: { tier: 'official' } })} />,
    );
    expect(
      screen.getByLabelText('Tier: Official (requested, not yet earned)'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('tier-badge-official-requested')).toBeVisible();
  });

  it('takes the requested-tier annotation as the request', () => {
    expect(
      describeTier({ requested: 'official', effective: undefined }).variant,
    ).toBe('official-requested');
  });

  it('says when official was requested but a lower tier was earned', () => {
    expect(
      describeTier({ requested: 'official', effective: 'community' }),
    ).toMatchObject({
      variant: 'community',
      label: 'Community (official requested, not earned)',
    });
  });

  it('shows a declared tier the gauntlet has not checked as declared, not earned', async () => {
    await renderInTestApp(<TierBadge status={{ requested: 'community' }} />);
    expect(
      screen.getByLabelText('Tier: Community (declared, not yet checked)'),
    ).toBeInTheDocument();
  });

  it('shows an earned community tier plainly', async () => {
    await renderInTestApp(
      <TierBadge status={{ requested: 'community', effective: 'community' }} />,
    );
    expect(screen.getByLabelText('Tier: Community')).toBeInTheDocument();
  });

  it('admits an unknown tier', async () => {
    await renderInTestApp(
      <TierBadge entity={modelEntity('m', { spec: { tier: 'gold' } })} />,
    );
    expect(screen.getByLabelText('Tier: Tier unknown')).toBeInTheDocument();
  });
});
