import { fireEvent, screen, within } from '@testing-library/react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { UsageTop, UsageWindow } from '@internal/plugin-model-hub-common';
import { UsageApi, usageApiRef } from '../../api';
import { HomePageMostReusedModels } from '../../plugin';
import { reuseRouteRef } from '../../routes';

jest.setTimeout(30_000);

function top(window: UsageWindow): UsageTop {
  const all = window === 'all';
  return {
    window,
    by: 'teams',
    models: [
      {
        entityRef: 'model:default/sentiment-classifier',
        owner: 'group:default/marketing',
        pulls: all ? 11 : 6,
        teams: 5,
        crossTeams: all ? 4 : 3,
        declaredConsumers: 2,
      },
      {
        entityRef: 'model:default/support-assistant',
        owner: 'group:default/ml-team',
        pulls: 2,
        teams: 2,
        crossTeams: 1,
        declaredConsumers: 0,
      },
    ],
    teams: [
      {
        team: 'group:default/marketing',
        rank: 1,
        models: 1,
        reusingTeams: all ? 4 : 3,
        pulls: 6,
      },
    ],
  };
}

describe('HomePageMostReusedModels', () => {
  it('shows the most reused models and teams of 30 days, then of all time, and links the leaderboard', async () => {
    const getTop = jest.fn(async (o: { window: UsageWindow }) => top(o.window));
    const api: Partial<UsageApi> = { getTop };
    await renderInTestApp(
      <TestApiProvider apis={[[usageApiRef, api]]}>
        <HomePageMostReusedModels />
      </TestApiProvider>,
      {
        mountedRoutes: {
          '/catalog/:namespace/:kind/:name': entityRouteRef,
          '/model-hub/reuse': reuseRouteRef,
        },
      },
    );
    expect(screen.getByText('Most reused models')).toBeInTheDocument();
    const models = await screen.findByLabelText('Home most reused models');
    const rows = within(models).getAllByRole('row');
    expect(rows[1]).toHaveTextContent(/sentiment-classifier\s*36/);
    expect(rows[2]).toHaveTextContent(/support-assistant\s*12/);
    expect(
      screen.getByLabelText('Home teams others build on'),
    ).toHaveTextContent(/marketing\s*3/);
    expect(getTop).toHaveBeenLastCalledWith({
      window: '30d',
      by: 'teams',
      limit: 5,
    });
    expect(
      screen.getByRole('link', { name: 'See the whole leaderboard' }),
    ).toHaveAttribute('href', '/model-hub/reuse');

    fireEvent.click(screen.getByRole('tab', { name: 'All time' }));
    await screen.findByText('11');
    expect(getTop).toHaveBeenLastCalledWith({
      window: 'all',
      by: 'teams',
      limit: 5,
    });
    expect(
      within(screen.getByLabelText('Home most reused models')).getAllByRole(
        'row',
      )[1],
    ).toHaveTextContent(/sentiment-classifier\s*411/);
  });

  it('says so when nothing was pulled', async () => {
    const api: Partial<UsageApi> = {
      getTop: async () => ({
        window: '30d',
        by: 'teams',
        models: [],
        teams: [],
      }),
    };
    await renderInTestApp(
      <TestApiProvider apis={[[usageApiRef, api]]}>
        <HomePageMostReusedModels />
      </TestApiProvider>,
      { mountedRoutes: { '/model-hub/reuse': reuseRouteRef } },
    );
    expect(
      await screen.findByText('No model was pulled in this window.'),
    ).toBeInTheDocument();
  });
});
