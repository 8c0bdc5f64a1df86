import { screen } from '@testing-library/react';
import { modelEntity } from '../../__testUtils__/fixtures';
import { renderEntityCard } from '../../__testUtils__/render';
import { EntityModelDeprecationBanner } from './EntityModelDeprecationBanner';

describe('EntityModelDeprecationBanner', () => {
  it('names and links the successor of a deprecated model', async () => {
    await renderEntityCard(<EntityModelDeprecationBanner />, {
      entity: modelEntity('old', {
        spec: { lifecycle: 'deprecated', successor: 'support-assistant-v2' },
      }),
    });
    expect(screen.getByText('This model is deprecated')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /support-assistant-v2/ }),
    ).toHaveAttribute('href', '/catalog/default/model/support-assistant-v2');
  });

  it('says when no successor is named', async () => {
    await renderEntityCard(<EntityModelDeprecationBanner />, {
      entity: modelEntity('old', { spec: { lifecycle: 'deprecated' } }),
    });
    expect(screen.getByText(/No successor has been named/)).toBeInTheDocument();
  });

  it('renders nothing for a production model', async () => {
    await renderEntityCard(<EntityModelDeprecationBanner />, {
      entity: modelEntity('fine'),
    });
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.queryByText(/deprecated/)).not.toBeInTheDocument();
  });
});
