import { screen, within } from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import { FakeModelHubApi } from '../../__testUtils__/fixtures';
import { renderEntityCard } from '../../__testUtils__/render';
import { EntityTeamStewardshipCard } from './EntityTeamStewardshipCard';

const team: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'ml-platform', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

describe('EntityTeamStewardshipCard', () => {
  it('says stewardship tasks are not available when the backend lacks the route', async () => {
    await renderEntityCard(<EntityTeamStewardshipCard />, {
      entity: team,
      modelHubApi: new FakeModelHubApi({ tasks: { available: false } }),
    });
    expect(
      await screen.findByText('Stewardship tasks are not available yet'),
    ).toBeInTheDocument();
  });

  it('asks for the team’s tasks and lists them by severity', async () => {
    const api = new FakeModelHubApi({
      tasks: {
        available: true,
        items: [
          {
            id: '1',
            dedupKey: 'stale-warning:model:default/a',
            kind: 'stale-warning',
            entityRef: 'model:default/a',
            assignee: 'user:default/alice',
            severity: 'low',
            openedAt: '2026-11-01T00:00:00Z',
            updatedAt: '2026-11-01T00:00:00Z',
            title: 'Refresh the evaluation',
            description: 'It is older than a year.',
            details: { lastActivityAt: '2025-10-01T00:00:00Z' },
          },
          {
            id: '2',
            dedupKey: 'steward-missing:model:default/b',
            kind: 'steward-missing',
            entityRef: 'model:default/b',
            assignee: 'group:default/ml-platform',
            severity: 'critical',
            dueAt: '2026-12-01T00:00:00Z',
            openedAt: '2026-11-01T00:00:00Z',
            updatedAt: '2026-11-01T00:00:00Z',
            title: 'Name a new steward',
            description: 'The steward left.',
            details: { steward: 'user:default/david.novak' },
          },
        ],
      },
    });
    const getTasks = jest.spyOn(api, 'getTasks');
    await renderEntityCard(<EntityTeamStewardshipCard />, {
      entity: team,
      modelHubApi: api,
    });

    const table = await screen.findByRole('table', {
      name: 'Open stewardship tasks',
    });
    const rows = within(table).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('Name a new steward');
    expect(rows[1]).toHaveTextContent('2026-12-01');
    expect(rows[2]).toHaveTextContent('Refresh the evaluation');
    expect(getTasks).toHaveBeenCalledWith({
      owner: 'group:default/ml-platform',
    });
  });

  it('says when the team has nothing open', async () => {
    await renderEntityCard(<EntityTeamStewardshipCard />, {
      entity: team,
      modelHubApi: new FakeModelHubApi({
        tasks: { available: true, items: [] },
      }),
    });
    expect(
      await screen.findByText('No open stewardship tasks'),
    ).toBeInTheDocument();
  });
});
