import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  FakeModelHubApi,
  modelEntity,
  modelVersion,
  versionFile,
} from '../../__testUtils__/fixtures';
import { renderEntityCard } from '../../__testUtils__/render';
import { EntityUseModelCard, curlCommand } from './EntityUseModelCard';

describe('EntityUseModelCard', () => {
  it('shows CLI, Python, JavaScript and curl tabs pinned to the version behind latest, with copy buttons and no token text', async () => {
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
        'model-hub pull model:default/support-assistant@1.4.0',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', {
        name: 'Copy: Pull version 1.4.0 with the model-hub CLI',
      }),
    ).toBeInTheDocument();
    expect(screen.getByText(/Pinned to version 1.4.0/)).toHaveTextContent(
      'latest',
    );

    await userEvent.click(screen.getByRole('tab', { name: 'Python' }));
    const python = screen.getByLabelText(/^Python/);
    expect(python.textContent).toContain(
      'export HF_ENDPOINT=http://localhost:7007/api/model-hub/hf',
    );
    expect(python.textContent).toContain(
      "snapshot_download('ml-platform/support-assistant', revision='1.4.0')",
    );

    await userEvent.click(screen.getByRole('tab', { name: 'JavaScript' }));
    const js = screen.getByLabelText(/^JavaScript/);
    expect(js.textContent).toContain(
      "const hubUrl = 'http://localhost:7007/api/model-hub/hf';",
    );
    expect(js.textContent).toContain("env.remoteHost = hubUrl + '/';");
    expect(js.textContent).toContain(
      "pipeline('text-generation', 'ml-platform/support-assistant', { revision: '1.4.0' })",
    );

    await userEvent.click(screen.getByRole('tab', { name: 'curl' }));
    expect(
      screen.getByText(
        `curl -fL -H "Authorization: Bearer $MODEL_HUB_TOKEN" -o 'model.safetensors' 'http://localhost:7007/api/model-hub/v1/models/default/support-assistant/versions/1.4.0/files/weights/model.safetensors'`,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', {
        name: /^Copy: Download weights\/model.safetensors/,
      }),
    ).toBeInTheDocument();
    // No snippet carries token text, only variables.
    expect(document.body.textContent).not.toMatch(/(mhp|hf)_[0-9a-f]{16}/);
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
      await screen.findByText('model-hub pull model:default/m@0.10.0'),
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
