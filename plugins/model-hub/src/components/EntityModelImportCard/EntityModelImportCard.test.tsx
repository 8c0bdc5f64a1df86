import { fireEvent, screen, waitFor } from '@testing-library/react';
import { TestApiProvider } from '@backstage/test-utils';
import {
  INGESTION_ANNOTATIONS,
  ModelImport,
  ModelImportsResponse,
} from '@internal/plugin-model-hub-common';
import { modelEntity } from '../../__testUtils__/fixtures';
import { renderEntityCard } from '../../__testUtils__/render';
import { ImportApi, importApiRef } from '../../api';
import { EntityModelImportCard } from './EntityModelImportCard';

const SHA = 'a'.repeat(40);
const ingested = modelEntity('hf-acme-tiny', {
  metadata: {
    annotations: {
      [INGESTION_ANNOTATIONS.source]: 'huggingface:hf',
      [INGESTION_ANNOTATIONS.remoteId]: 'acme/tiny',
      [INGESTION_ANNOTATIONS.revision]: SHA,
    },
  },
});
const imported: ModelImport = {
  entityRef: 'model:default/hf-acme-tiny',
  version: `0.0.0-g${SHA}`,
  source: 'huggingface:hf',
  remoteId: 'acme/tiny',
  remoteVersion: SHA,
  state: 'imported',
  requestedBy: 'user:default/ava',
  startedAt: '2026-12-08T06:00:00.000Z',
  finishedAt: '2026-12-08T06:00:05.000Z',
};

/** A hub that answers from `lists` in turn and imports with `importVersion`. */
function fakeApi(
  lists: ModelImportsResponse[],
  importVersion: ImportApi['importVersion'] = jest.fn(),
) {
  let n = 0;
  const api: ImportApi = {
    listImports: jest.fn(async () => lists[Math.min(n++, lists.length - 1)]),
    importVersion: jest.fn(importVersion),
    readUpstreamCard: jest.fn(),
  };
  return api;
}

const render = (api: ImportApi, entity = ingested) =>
  renderEntityCard(
    <TestApiProvider apis={[[importApiRef, api]]}>
      <EntityModelImportCard />
    </TestApiProvider>,
    { entity },
  );

describe('EntityModelImportCard', () => {
  it('imports on click: the button shows importing, then the list shows the imported version', async () => {
    let finish: (value: ModelImport) => void = () => {};
    const api = fakeApi(
      [
        { items: [], canImport: true },
        { items: [imported], canImport: true },
      ],
      () => new Promise(resolve => (finish = resolve)),
    );
    await render(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Import into the hub' }),
    );
    expect(
      await screen.findByRole('button', { name: 'Importing…' }),
    ).toBeDisabled();
    expect(api.importVersion).toHaveBeenCalledWith(
      'model:default/hf-acme-tiny',
    );
    finish(imported);
    expect(await screen.findByText('Imported')).toBeInTheDocument();
    expect(screen.getByText(`0.0.0-g${SHA}`)).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Import into the hub' }),
    ).toBeEnabled();
  });

  it('shows a refused import with the hub’s reason, in the alert and in the list', async () => {
    const reason = `model.safetensors of acme/tiny ${SHA} was refused: SHA-256 mismatch`;
    const api = fakeApi(
      [
        { items: [], canImport: true },
        {
          items: [{ ...imported, state: 'failed', error: reason }],
          canImport: true,
        },
      ],
      async () => {
        throw new Error(reason);
      },
    );
    await render(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Import into the hub' }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      `Import failed: ${reason}`,
    );
    await waitFor(() => expect(screen.getByText('Failed')).toBeInTheDocument());
    expect(screen.getAllByText(reason, { exact: false })).toHaveLength(2);
  });

  it('offers no button to someone the hub does not allow, but shows the imports', async () => {
    const api = fakeApi([{ items: [imported], canImport: false }]);
    await render(api);
    expect(await screen.findByText('Imported')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Import/ })).toBeNull();
  });

  it('renders nothing for a model published in the hub itself', async () => {
    const api = fakeApi([{ items: [], canImport: false }]);
    await render(api, modelEntity('native'));
    expect(screen.queryByText('Import into the hub')).toBeNull();
    expect(api.listImports).not.toHaveBeenCalled();
  });
});
