import { fireEvent, screen, waitFor } from '@testing-library/react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { IngestionSourceStatus } from '@internal/plugin-model-hub-common';
import { IngestionApi, ingestionApiRef } from '../../api';
import { IngestionSourcesCard } from './IngestionSourcesCard';

jest.setTimeout(30_000);

const SOURCES: IngestionSourceStatus[] = [
  {
    source: 'mlflow:prod',
    state: 'ok',
    lastSyncAt: '2026-12-06T10:00:00.000Z',
    lastSuccessAt: '2026-12-06T10:00:00.000Z',
    entityCount: 2500,
    lastEmitted: 0,
  },
  {
    source: 'huggingface:hf',
    state: 'degraded',
    lastSyncAt: '2026-12-06T10:05:00.000Z',
    lastSuccessAt: '2026-12-05T10:05:00.000Z',
    entityCount: 152,
    lastEmitted: 0,
    lastError: 'access refused (401/403) to 1 repos, e.g. acme/gated',
  },
];

function fakeApi(canSync: boolean): IngestionApi & { synced: string[] } {
  const synced: string[] = [];
  return {
    synced,
    listSources: jest.fn(async () => ({ items: SOURCES, canSync })),
    syncSource: jest.fn(async (source: string) => {
      synced.push(source);
    }),
  };
}

describe('IngestionSourcesCard', () => {
  it('lists each source with its state, counts and error, and syncs one now', async () => {
    const api = fakeApi(true);
    await renderInTestApp(
      <TestApiProvider apis={[[ingestionApiRef, api]]}>
        <IngestionSourcesCard />
      </TestApiProvider>,
    );
    expect(await screen.findByText('mlflow:prod')).toBeInTheDocument();
    expect(screen.getByText('2500')).toBeInTheDocument();
    expect(screen.getByText('degraded')).toBeInTheDocument();
    expect(screen.getByText(/access refused \(401\/403\)/)).toBeInTheDocument();
    fireEvent.click(
      screen.getByRole('button', { name: 'Sync huggingface:hf now' }),
    );
    await waitFor(() => expect(api.synced).toEqual(['huggingface:hf']));
    expect(
      await screen.findByText(/Sync of huggingface:hf started/),
    ).toBeInTheDocument();
    expect(api.listSources).toHaveBeenCalledTimes(2);
  });

  it('offers no "Sync now" to callers who may not start one', async () => {
    const api = fakeApi(false);
    await renderInTestApp(
      <TestApiProvider apis={[[ingestionApiRef, api]]}>
        <IngestionSourcesCard />
      </TestApiProvider>,
    );
    expect(await screen.findByText('huggingface:hf')).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: /Sync/ }),
    ).not.toBeInTheDocument();
  });

  it('shows a refused sync as one line', async () => {
    const api = fakeApi(true);
    api.syncSource = jest.fn(async () => {
      throw new Error('only the governance group may start a sync');
    });
    await renderInTestApp(
      <TestApiProvider apis={[[ingestionApiRef, api]]}>
        <IngestionSourcesCard />
      </TestApiProvider>,
    );
    fireEvent.click(
      await screen.findByRole('button', { name: 'Sync mlflow:prod now' }),
    );
    expect(
      await screen.findByText(
        'Could not start a sync of mlflow:prod: only the governance group may start a sync',
      ),
    ).toBeInTheDocument();
  });
});
