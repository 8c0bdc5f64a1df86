import { screen } from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import { TestApiProvider } from '@backstage/test-utils';
import { renderEntityCard } from '../../__testUtils__/render';
import { UsageApi, usageApiRef } from '../../api';
import { EntityTeamReuseCard } from './EntityTeamReuseCard';

const team: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'ml-team', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

describe('EntityTeamReuseCard', () => {
  it("shows the team's rank and its models' reuse", async () => {
    const api: UsageApi = {
      getModelUsage: jest.fn(),
      getTop: jest.fn(),
      getDuplicates: jest.fn(),
      getTeamUsage: jest.fn(async () => ({
        team: 'group:default/ml-team',
        window: 'all' as const,
        rank: 1,
        rankedTeams: 3,
        reusingTeams: 4,
        pulls: 12,
        models: [
          {
            entityRef: 'model:default/support-assistant',
            owner: 'group:default/ml-team',
            pulls: 12,
            teams: 5,
            crossTeams: 4,
            declaredConsumers: 2,
          },
        ],
      })),
    };
    await renderEntityCard(
      <TestApiProvider apis={[[usageApiRef, api]]}>
        <EntityTeamReuseCard />
      </TestApiProvider>,
      { entity: team },
    );
    expect(await screen.findByTestId('team-reuse-standing')).toHaveTextContent(
      'Rank 1 of 3 teams: its models are reused by 4 other teams (12 pulls).',
    );
    expect(screen.getByText('support-assistant')).toBeInTheDocument();
    expect(api.getTeamUsage).toHaveBeenCalledWith(
      'group:default/ml-team',
      'all',
    );
  });
});
