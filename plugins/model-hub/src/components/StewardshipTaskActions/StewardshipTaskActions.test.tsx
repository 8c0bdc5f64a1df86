import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Entity } from '@backstage/catalog-model';
import { FakeModelHubApi } from '../../__testUtils__/fixtures';
import { renderEntityCard } from '../../__testUtils__/render';
import { EntityTeamStewardshipCard } from '../EntityTeamStewardshipCard';
import { StewardshipTask } from '../../api';
import {
  deprecationTemplateUrl,
  migrationTemplateUrl,
} from './StewardshipTaskActions';

const team: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'ml-platform', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

const task = (
  id: string,
  kind: StewardshipTask['kind'],
  title: string,
  extra: Partial<StewardshipTask> = {},
): StewardshipTask => ({
  id,
  dedupKey: `${kind}|model:default/${id}`,
  kind,
  entityRef: `model:default/m${id}`,
  assignee: 'group:default/ml-platform',
  severity: 'medium',
  openedAt: '2026-11-01T00:00:00Z',
  updatedAt: '2026-11-01T00:00:00Z',
  title,
  description: 'Do something.',
  details: {},
  ...extra,
});

describe('stewardship task actions on the team card', () => {
  it('snoozes a task: the hub is called and the task leaves the list without a reload', async () => {
    const api = new FakeModelHubApi({
      tasks: {
        available: true,
        items: [
          task('1', 'stale-warning', 'Model A will be archived'),
          task('2', 'model-card-incomplete', 'Card of B is missing owner'),
        ],
      },
    });
    await renderEntityCard(<EntityTeamStewardshipCard />, {
      entity: team,
      modelHubApi: api,
    });
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Snooze: Model A will be archived',
      }),
    );
    await userEvent.type(screen.getByLabelText(/Reason/), 'busy quarter');
    await userEvent.click(screen.getByRole('button', { name: 'Snooze task' }));
    await waitFor(() =>
      expect(
        screen.queryByText('Model A will be archived'),
      ).not.toBeInTheDocument(),
    );
    expect(screen.getByText('Card of B is missing owner')).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Done');
    expect(api.actions).toEqual([
      {
        target: '1',
        action: {
          type: 'snooze',
          until: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
          reason: 'busy quarter',
        },
      },
    ]);
  }, 15000); // first render of the suite plus a dialog: >5 s on a loaded 2-core machine

  it('shows a refused approval in one line and keeps the task', async () => {
    const api = new FakeModelHubApi({
      tasks: {
        available: true,
        items: [
          task('3', 'steward-missing', 'Name a new steward for C', {
            pendingWaiver: {
              requestedBy: 'user:default/guest',
              requestedAt: '2026-12-01T00:00:00Z',
              reason: 'hiring',
              until: '2027-01-31T23:59:59Z',
            },
          }),
        ],
      },
    });
    api.refuse =
      'You asked for this waiver, so someone else in group:default/ai-governance must approve it (four-eyes)';
    await renderEntityCard(<EntityTeamStewardshipCard />, {
      entity: team,
      modelHubApi: api,
    });
    expect(
      await screen.findByText(
        'Waiver asked by user:default/guest until 2027-01-31: hiring',
      ),
    ).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', {
        name: 'Approve waiver: Name a new steward for C',
      }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'You asked for this waiver, so someone else in group:default/ai-governance must approve it (four-eyes)',
    );
    expect(screen.getByText('Name a new steward for C')).toBeInTheDocument();
    expect(api.actions).toEqual([]);
  });

  it('links the deprecation template pre-filled with the model and successor', () => {
    const url = deprecationTemplateUrl(
      task('4', 'deprecated-no-successor', 'x', {
        details: { successor: 'model:default/next' },
      }),
    );
    const [path, query] = url.split('?');
    expect(path).toBe('/create/templates/default/deprecate-model');
    expect(JSON.parse(new URLSearchParams(query).get('formData')!)).toEqual({
      model: 'model:default/m4',
      successor: 'model:default/next',
    });
  });

  it("links a consumer's migration task to the migration template, pre-filled; no link on other tasks", () => {
    const url = migrationTemplateUrl(
      task('5', 'deprecated-migration', 'Migrate svc', {
        details: {
          consumer: 'component:default/svc',
          successor: 'model:default/next',
        },
      }),
    )!;
    const [path, query] = url.split('?');
    expect(path).toBe('/create/templates/default/migrate-consumer');
    expect(JSON.parse(new URLSearchParams(query).get('formData')!)).toEqual({
      consumer: 'component:default/svc',
      deprecatedModel: 'model:default/m5',
      successor: 'model:default/next',
    });
    expect(
      migrationTemplateUrl(
        task('6', 'deprecated-no-successor', 'x', {
          details: { consumer: 'component:default/svc' },
        }),
      ),
    ).toBeUndefined();
  });
});
