import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  FakeModelHubApi,
  modelEntity,
  modelVersion,
  versionFile,
} from '../../__testUtils__/fixtures';
import { renderEntityCard } from '../../__testUtils__/render';
import { EntityModelFilesContent } from './EntityModelFilesContent';

jest.setTimeout(30000);

const REF = 'model:default/m';
const sha = '0123456789abcdef'.repeat(4);

const pickle = versionFile('legacy/model.pkl', {
  sha256: sha,
  size: 3 * 1024 * 1024,
  format: 'pickle',
  scan: {
    path: 'legacy/model.pkl',
    format: 'pickle',
    verdict: 'unsafe',
    sha256: sha,
    size: 3 * 1024 * 1024,
    findings: [
      {
        severity: 'medium',
        rule: 'pickle/unknown-global',
        message: 'Unknown global numpy.foo',
      },
      {
        severity: 'critical',
        rule: 'pickle/dangerous-import',
        message: 'Imports os.system',
      },
    ],
  },
});

function manyFiles(n: number) {
  return Array.from({ length: n }, (_, i) =>
    versionFile(`shards/part-${String(i).padStart(5, '0')}.safetensors`, {
      size: 1024 * (i + 1),
    }),
  );
}

describe('EntityModelFilesContent', () => {
  beforeEach(() => {
    (URL as any).createObjectURL = jest.fn(() => 'blob:http://localhost/f');
    (URL as any).revokeObjectURL = jest.fn();
  });

  it('shows path, human size, short copyable digest, verdict with reason and a download per file', async () => {
    const api = new FakeModelHubApi({
      versions: {
        [REF]: [
          modelVersion('m', '1.0.0', { files: [pickle], aliases: ['latest'] }),
          modelVersion('m', '0.9.0', { files: [versionFile('old.bin')] }),
        ],
      },
      files: { [`${REF}@1.0.0/legacy/model.pkl`]: new Blob(['pickle']) },
    });
    await renderEntityCard(<EntityModelFilesContent />, {
      entity: modelEntity('m'),
      modelHubApi: api,
    });
    const table = await screen.findByRole('table', {
      name: 'Files of version 1.0.0',
    });
    const row = within(table).getByText('legacy/model.pkl').closest('tr')!;
    expect(within(row).getByText('3.0 MiB')).toBeInTheDocument();
    expect(within(row).getByText('0123456789ab…')).toHaveAttribute(
      'title',
      sha,
    );
    expect(
      within(row).getByLabelText('Copy SHA-256 of legacy/model.pkl'),
    ).toBeInTheDocument();
    expect(
      within(row).getByLabelText('Scan verdict for legacy/model.pkl: Unsafe'),
    ).toBeInTheDocument();
    // The worst finding is the reason, with how many more there are.
    expect(
      within(row).getByText('critical: Imports os.system (+1 more)'),
    ).toBeInTheDocument();

    await userEvent.click(
      within(row).getByRole('button', { name: 'Download legacy/model.pkl' }),
    );
    expect(api.reads).toEqual([`${REF}@1.0.0/legacy/model.pkl`]);
    // A download is a pull, never a preview.
    expect(api.previews).toEqual([]);
    expect(URL.createObjectURL).toHaveBeenCalled();
  });

  it('pages and filters 10,000 files, rendering one page at a time', async () => {
    const files = manyFiles(10_000);
    const started = performance.now();
    await renderEntityCard(<EntityModelFilesContent />, {
      entity: modelEntity('m'),
      modelHubApi: new FakeModelHubApi({
        versions: { [REF]: [modelVersion('m', '2.0.0', { files })] },
      }),
    });
    const table = await screen.findByRole('table', {
      name: 'Files of version 2.0.0',
    });
    const ms = performance.now() - started;
    // eslint-disable-next-line no-console
    console.log(
      `Files tab: first render of 10,000 files in ${ms.toFixed(0)} ms`,
    );
    expect(within(table).getAllByRole('row')).toHaveLength(51);
    expect(screen.getByText('10000 files, 47.7 GiB')).toBeInTheDocument();
    expect(screen.getByText('1-50 of 10000')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(
      within(table).getByText('shards/part-00050.safetensors'),
    ).toBeInTheDocument();
    expect(
      within(table).queryByText('shards/part-00000.safetensors'),
    ).not.toBeInTheDocument();

    await userEvent.type(screen.getByLabelText('Filter by path'), 'part-0999');
    expect(screen.getByText('1-10 of 10')).toBeInTheDocument();
    expect(
      within(table).getByText('shards/part-09999.safetensors'),
    ).toBeInTheDocument();
  });

  it('switches version with the picker', async () => {
    await renderEntityCard(<EntityModelFilesContent />, {
      entity: modelEntity('m'),
      modelHubApi: new FakeModelHubApi({
        versions: {
          [REF]: [
            modelVersion('m', '1.0.0', {
              files: [pickle],
              aliases: ['latest'],
            }),
            modelVersion('m', '0.9.0', { files: [versionFile('old.bin')] }),
          ],
        },
      }),
    });
    await screen.findByRole('table', { name: 'Files of version 1.0.0' });
    await userEvent.click(screen.getByLabelText('Version'));
    await userEvent.click(await screen.findByRole('option', { name: '0.9.0' }));
    const table = await screen.findByRole('table', {
      name: 'Files of version 0.9.0',
    });
    expect(within(table).getByText('old.bin')).toBeInTheDocument();
  });

  it('leaves files too large for the browser to the CLI', async () => {
    const api = new FakeModelHubApi({
      versions: {
        [REF]: [
          modelVersion('m', '1.0.0', {
            files: [versionFile('model.gguf', { size: 4 * 1024 ** 3 })],
          }),
        ],
      },
    });
    await renderEntityCard(<EntityModelFilesContent />, {
      entity: modelEntity('m'),
      modelHubApi: api,
    });
    const button = await screen.findByRole('button', {
      name: 'Download model.gguf',
    });
    expect(button).toBeDisabled();
    expect(
      screen.getByTitle(
        'model.gguf is 4.0 GiB: pull it with the model-hub CLI',
      ),
    ).toBeInTheDocument();
    expect(api.reads).toEqual([]);
  });

  it('says when no version is published', async () => {
    await renderEntityCard(<EntityModelFilesContent />, {
      entity: modelEntity('m'),
      modelHubApi: new FakeModelHubApi(),
    });
    expect(
      await screen.findByText('No versions published yet'),
    ).toBeInTheDocument();
  });
});
