import { screen } from '@testing-library/react';
import { UPSTREAM_DRIFT_ANNOTATION } from '@internal/plugin-model-hub-common';
import { modelEntity } from '../../__testUtils__/fixtures';
import { renderEntityCard } from '../../__testUtils__/render';
import { EntityModelUpstreamDriftBanner } from './EntityModelUpstreamDriftBanner';

const drift = {
  detectedAt: '2026-12-06T10:00:00.000Z',
  source: 'huggingface:hf',
  url: 'https://huggingface.co/acme/model-0007',
  changes: [
    { field: 'revision', from: 'a'.repeat(40), to: 'b'.repeat(40) },
    { field: 'license', from: 'mit', to: 'other' },
  ],
};

describe('EntityModelUpstreamDriftBanner', () => {
  it('says what changed upstream, when, and links the source', async () => {
    await renderEntityCard(<EntityModelUpstreamDriftBanner />, {
      entity: modelEntity('mirrored', {
        metadata: {
          annotations: { [UPSTREAM_DRIFT_ANNOTATION]: JSON.stringify(drift) },
        },
      }),
    });
    expect(screen.getByText('Changed upstream')).toBeInTheDocument();
    expect(screen.getByText('aaaaaaaaaa')).toBeInTheDocument();
    expect(screen.getByText('bbbbbbbbbb')).toBeInTheDocument();
    expect(screen.getByText('other')).toBeInTheDocument();
    expect(
      screen.getByText(/Sun, 06 Dec 2026 10:00:00 GMT/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /See the model at its source/ }),
    ).toHaveAttribute('href', drift.url);
  });

  it('renders nothing without a drift record, or with a malformed one', async () => {
    await renderEntityCard(<EntityModelUpstreamDriftBanner />, {
      entity: modelEntity('quiet', {
        metadata: { annotations: { [UPSTREAM_DRIFT_ANNOTATION]: '{oops' } },
      }),
    });
    expect(screen.queryByText('Changed upstream')).not.toBeInTheDocument();
  });
});
