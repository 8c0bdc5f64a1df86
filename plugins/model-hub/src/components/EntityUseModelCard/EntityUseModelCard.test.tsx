import { screen } from '@testing-library/react';
import {
  FakeModelHubApi,
  modelEntity,
  modelVersion,
  versionFile,
} from '../../__testUtils__/fixtures';
import { renderEntityCard } from '../../__testUtils__/render';
import { EntityUseModelCard, curlCommand } from './EntityUseModelCard';

describe('EntityUseModelCard', () => {
  it('shows the pull command for the latest alias and a curl download, with copy buttons', async () => {
    const modelHubApi = new FakeModelHubApi({
      versions: {
        'model:default/support-assistant': [
          modelVersion('support-assistant', '2.0.0', { state: 'draft' }),
          modelVersion('support-assistant', '1.4.0', {
            aliases: ['latest'],
            files: [versionFile('weights/model.safetensors')],
          }),
        ],
      },
    });
    await renderEntityCard(<EntityUseModelCard />, {
      entity: modelEntity('support-assistant'),
      modelHubApi,
    });

    expect(
      await screen.findByText(
        'npx model-hub pull model:default/support-assistant@latest',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        `curl -fL -H "Authorization: Bearer $MODEL_HUB_TOKEN" -o 'model.safetensors' 'http://localhost:7007/api/model-hub/v1/models/default/support-assistant/versions/1.4.0/files/weights/model.safetensors'`,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Copy: Pull with the model-hub CLI' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', {
        name: /^Copy: Download weights\/model.safetensors/,
      }),
    ).toBeInTheDocument();
    expect(screen.getByText(/currently points at version/)).toHaveTextContent(
      '1.4.0',
    );
  });

  it('names the newest sealed version when there is no latest alias', async () => {
    const modelHubApi = new FakeModelHubApi({
      versions: {
        'model:default/m': [
          modelVersion('m', '0.9.0'),
          modelVersion('m', '0.10.0'),
        ],
      },
    });
    await renderEntityCard(<EntityUseModelCard />, {
      entity: modelEntity('m'),
      modelHubApi,
    });
    expect(
      await screen.findByText('npx model-hub pull model:default/m@0.10.0'),
    ).toBeInTheDocument();
  });

  it('says so when nothing can be pulled', async () => {
    await renderEntityCard(<EntityUseModelCard />, {
      entity: modelEntity('m'),
    });
    expect(
      await screen.findByText(
        'No versions published yet, so there is nothing to pull.',
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: /^Copy/ }),
    ).not.toBeInTheDocument();
  });

  it('quotes file names safely for the shell', () => {
    expect(curlCommand("http://h/f/it's.bin", "it's.bin")).toContain(
      `-o 'it'\\''s.bin'`,
    );
  });
});
