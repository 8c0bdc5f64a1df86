import { fireEvent, screen } from '@testing-library/react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { UsageTop } from '@internal/plugin-model-hub-common';
import { UsageApi, usageApiRef } from '../../api';
import {
  PAGE_FRAME_SHEETS,
  recordInsertedSheets,
} from '../../__testUtils__/styleSheets';
import { ReuseLeaderboardPage } from './ReuseLeaderboardPage';

jest.setTimeout(30_000);

describe('ReuseLeaderboardPage', () => {
  it('ranks models and teams and asks again for all time without building the style sheets of the page again', async () => {
    const getTop = jest.fn(
      async (o: { window: '30d' | 'all' }): Promise<UsageTop> => ({
        window: o.window,
        by: 'teams',
        models: [
          {
            entityRef: 'model:default/support-assistant',
            owner: 'group:default/ml-team',
            pulls: o.window === 'all' ? 9 : 4,
            teams: 3,
            crossTeams: 2,
            declaredConsumers: 1,
          },
        ],
        teams: [
          {
            team: 'group:default/ml-team',
            rank: 1,
            models: 1,
            reusingTeams: 2,
            pulls: 4,
          },
        ],
      }),
    );
    const api: UsageApi = {
      getModelUsage: jest.fn(),
      getTeamUsage: jest.fn(),
      getTop,
      getDuplicates: jest.fn(async () => ({
        window: '30d' as const,
        groups: [
          {
            task: 'text-classification',
            models: [
              {
                entityRef: 'model:default/sentiment-classifier',
                pulls: 5,
                teams: 5,
                crossTeams: 4,
                declaredConsumers: 2,
              },
              {
                entityRef: 'model:default/review-sentiment',
                pulls: 0,
                teams: 0,
                crossTeams: 0,
                declaredConsumers: 0,
              },
            ],
          },
        ],
      })),
    };
    await renderInTestApp(
      <TestApiProvider apis={[[usageApiRef, api]]}>
        <ReuseLeaderboardPage />
      </TestApiProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );
    expect(
      await screen.findByLabelText('Most reused models'),
    ).toHaveTextContent('support-assistant');
    expect(screen.getByLabelText('Most reused teams')).toHaveTextContent(
      'ml-team',
    );
    expect(getTop).toHaveBeenLastCalledWith({
      window: '30d',
      by: 'teams',
      limit: 50,
    });
    // A tab click must not render the page frame again (see recordInsertedSheets).
    const sheets = recordInsertedSheets();
    fireEvent.click(screen.getByRole('tab', { name: 'All time' }));
    expect(await screen.findByRole('cell', { name: '9' })).toBeInTheDocument();
    sheets.stop();
    for (const sheet of PAGE_FRAME_SHEETS) {
      expect(sheets.names).not.toContain(sheet);
    }
    expect(getTop).toHaveBeenLastCalledWith({
      window: 'all',
      by: 'teams',
      limit: 50,
    });
  });
});
