import { screen } from '@testing-library/react';
import { TestApiProvider } from '@backstage/test-utils';
import { ModelUsage } from '@internal/plugin-model-hub-common';
import { modelEntity } from '../../__testUtils__/fixtures';
import { renderEntityCard } from '../../__testUtils__/render';
import { UsageApi, usageApiRef } from '../../api';
import { EntityModelReuseBadge } from './EntityModelReuseBadge';
import { EntityModelUsageCard } from './EntityModelUsageCard';

const usage = (over: Partial<ModelUsage> = {}): ModelUsage => ({
  entityRef: 'model:default/m',
  owner: 'group:default/ml-team',
  pulls30d: 4,
  pullsAllTime: 9,
  users30d: 3,
  usersAllTime: 5,
  teams30d: 3,
  teamsAllTime: 4,
  crossTeams30d: 2,
  crossTeamsAllTime: 3,
  consumingTeams: [],
  declaredConsumers: [
    {
      entityRef: 'component:default/payments-api',
      owner: 'group:default/risk-team',
    },
  ],
  usedByTeams: 7,
  daily: Array.from({ length: 90 }, (_, i) => ({
    day: `2026-09-${String((i % 28) + 1).padStart(2, '0')}`,
    pulls: i % 3,
  })),
  ...over,
});

function fakeUsageApi(value: ModelUsage) {
  const api: UsageApi = {
    getModelUsage: jest.fn(async () => value),
    getTop: jest.fn(),
    getTeamUsage: jest.fn(),
    getDuplicates: jest.fn(),
  };
  return api;
}

async function render(element: JSX.Element, api: UsageApi) {
  return renderEntityCard(
    <TestApiProvider apis={[[usageApiRef, api]]}>{element}</TestApiProvider>,
    { entity: modelEntity('m') },
  );
}

describe('EntityModelUsageCard', () => {
  it('shows 30-day and all-time counts, the sparkline and declared consumers of this model', async () => {
    const api = fakeUsageApi(usage());
    await render(<EntityModelUsageCard />, api);
    expect(await screen.findByLabelText('Pulls, 30 days')).toHaveTextContent(
      '4',
    );
    expect(screen.getByLabelText('Pulls, all time')).toHaveTextContent('9');
    expect(
      screen.getByLabelText('Other teams (cross-team reuse), all time'),
    ).toHaveTextContent('3');
    expect(screen.getByText('used by 7 teams')).toBeInTheDocument();
    expect(screen.getByText('Declared consumers (1)')).toBeInTheDocument();
    expect(
      screen.getByLabelText('Pulls per day, last 90 days').querySelector('svg'),
    ).not.toBeNull();
    expect(api.getModelUsage).toHaveBeenCalledWith('model:default/m');
  });
});

describe('EntityModelReuseBadge', () => {
  it('says how many other teams use the model, and when none does', async () => {
    await render(<EntityModelReuseBadge />, fakeUsageApi(usage()));
    expect(
      await screen.findByLabelText('Reuse: used by 7 teams'),
    ).toBeInTheDocument();
  });

  it('says so plainly when no other team uses it', async () => {
    await render(
      <EntityModelReuseBadge />,
      fakeUsageApi(usage({ usedByTeams: 0 })),
    );
    expect(
      await screen.findByText('not reused by other teams yet'),
    ).toBeInTheDocument();
  });
});
