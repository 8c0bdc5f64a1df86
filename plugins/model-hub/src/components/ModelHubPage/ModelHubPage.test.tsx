import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { mockCatalogApi } from '../../__testUtils__/render';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { modelEntity } from '../../__testUtils__/fixtures';
import { ModelHubPage } from './ModelHubPage';
import { buildQueryRequest, EMPTY_QUERY } from './query';

const official = modelEntity('support-assistant', {
  spec: { tier: 'official', task: 'text-generation' },
  metadata: {
    title: 'Support assistant',
    description: 'Answers support tickets',
    annotations: { 'modelhub.io/effective-tier': 'official' },
  },
  relations: [
    { type: 'ownedBy', targetRef: 'group:default/ml-platform' },
    { type: 'dependencyOf', targetRef: 'component:default/helpdesk' },
  ],
});
const community = modelEntity('churn-classifier', {
  spec: { tier: 'community', task: 'tabular-classification' },
  relations: [
    { type: 'dependencyOf', targetRef: 'component:default/crm' },
    { type: 'dependencyOf', targetRef: 'component:default/billing' },
    { type: 'dependencyOf', targetRef: 'component:default/reports' },
  ],
});

function setup(overrides: Record<string, jest.Mock> = {}) {
  const catalogApi = mockCatalogApi({
    queryEntities: jest.fn(async () => ({
      items: [official, community],
      totalItems: 42,
      pageInfo: { nextCursor: 'cursor-2' },
    })),
    getEntityFacets: jest.fn(async () => ({
      facets: {
        'spec.task': [
          { value: 'text-generation', count: 3 },
          { value: 'tabular-classification', count: 1 },
        ],
        'spec.framework': [{ value: 'pytorch', count: 4 }],
        'spec.tier': [{ value: 'official', count: 2 }],
        'spec.license': [{ value: 'Apache-2.0', count: 4 }],
        'relations.ownedBy': [{ value: 'group:default/ml-platform', count: 4 }],
        'spec.lifecycle': [{ value: 'production', count: 4 }],
      },
    })),
    ...overrides,
  });
  return catalogApi;
}

async function renderPage(catalogApi: ReturnType<typeof setup>) {
  await renderInTestApp(
    <TestApiProvider apis={[[catalogApiRef, catalogApi]]}>
      <ModelHubPage />
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

function lastQuery(catalogApi: ReturnType<typeof setup>) {
  const calls = (catalogApi.queryEntities as jest.Mock).mock.calls;
  return calls[calls.length - 1][0];
}

describe('buildQueryRequest', () => {
  it('filters server-side on kind and hides archived models by default', () => {
    expect(buildQueryRequest(EMPTY_QUERY)).toEqual({
      filter: { kind: 'Model' },
      orderFields: { field: 'metadata.name', order: 'asc' },
      limit: 20,
      query: { $not: { 'spec.lifecycle': 'archived' } },
    });
  });

  it('maps every filter to its catalog field and searches text fields', () => {
    expect(
      buildQueryRequest({
        term: ' llama ',
        sort: 'lastActivity',
        showArchived: true,
        filters: {
          task: 'text-generation',
          framework: 'pytorch',
          tier: 'official',
          license: 'MIT',
          owner: 'group:default/ml',
          lifecycle: 'production',
        },
      }),
    ).toEqual({
      filter: {
        kind: 'Model',
        'spec.task': 'text-generation',
        'spec.framework': 'pytorch',
        'spec.tier': 'official',
        'spec.license': 'MIT',
        'relations.ownedBy': 'group:default/ml',
        'spec.lifecycle': 'production',
      },
      fullTextFilter: {
        term: 'llama',
        fields: ['metadata.name', 'metadata.title', 'metadata.description'],
      },
      orderFields: [
        {
          field: 'metadata.annotations.modelhub.io/last-activity',
          order: 'desc',
        },
        { field: 'metadata.name', order: 'asc' },
      ],
      limit: 20,
    });
  });

  it('shows archived models when the lifecycle filter asks for them', () => {
    const request = buildQueryRequest({
      ...EMPTY_QUERY,
      filters: { lifecycle: 'archived' },
    });
    expect(request.query).toBeUndefined();
    expect(request.filter).toEqual({
      kind: 'Model',
      'spec.lifecycle': 'archived',
    });
  });
});

// The page renders a full table through MUI; typing and paging take 1-2 s
// alone and several times that on a busy 2-core CI machine.
jest.setTimeout(30_000);

describe('ModelHubPage', () => {
  it('lists the first page of models with tiers and a community warning', async () => {
    const catalogApi = setup();
    await renderPage(catalogApi);

    expect(await screen.findByText('Support assistant')).toBeInTheDocument();
    expect(screen.getByText('churn-classifier')).toBeInTheDocument();
    expect(screen.getByLabelText('Tier: Official')).toBeInTheDocument();
    expect(
      screen.getByLabelText('Tier: Community (declared, not yet checked)'),
    ).toBeInTheDocument();
    expect(screen.getAllByText('Use at your own risk')).toHaveLength(1);
    expect(screen.getByText('Showing 1–2 of 42 models')).toBeInTheDocument();
    expect(catalogApi.queryEntities).toHaveBeenCalledTimes(1);
    expect(lastQuery(catalogApi)).toEqual(buildQueryRequest(EMPTY_QUERY));
  });

  it('sends a chosen filter to the catalog', async () => {
    const catalogApi = setup();
    await renderPage(catalogApi);
    await screen.findByText('Support assistant');

    await userEvent.click(screen.getByLabelText('Filter by Task'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'text-generation (3)' }),
    );

    await waitFor(() =>
      expect(lastQuery(catalogApi).filter).toEqual({
        kind: 'Model',
        'spec.task': 'text-generation',
      }),
    );
  });

  it('searches the catalog full-text after typing', async () => {
    const catalogApi = setup();
    await renderPage(catalogApi);
    await screen.findByText('Support assistant');

    await userEvent.type(screen.getByLabelText('Search models'), 'support');

    await waitFor(() =>
      expect(lastQuery(catalogApi).fullTextFilter).toEqual({
        term: 'support',
        fields: ['metadata.name', 'metadata.title', 'metadata.description'],
      }),
    );
  });

  it('includes archived models when the toggle is on', async () => {
    const catalogApi = setup();
    await renderPage(catalogApi);
    await screen.findByText('Support assistant');

    await userEvent.click(screen.getByLabelText('Show archived models'));

    await waitFor(() =>
      expect(catalogApi.queryEntities).toHaveBeenCalledTimes(2),
    );
    expect(lastQuery(catalogApi).query).toBeUndefined();
  });

  it('pages with the cursor from the catalog', async () => {
    const catalogApi = setup();
    await renderPage(catalogApi);
    await screen.findByText('Support assistant');
    expect(
      screen.getByRole('button', { name: 'Previous page' }),
    ).toBeDisabled();

    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));

    await waitFor(() =>
      expect(lastQuery(catalogApi)).toEqual({ cursor: 'cursor-2', limit: 20 }),
    );
    expect(
      await screen.findByText('Showing 21–22 of 42 models'),
    ).toBeInTheDocument();
  });

  it('orders the page by consumers when sorting by usage', async () => {
    const catalogApi = setup();
    await renderPage(catalogApi);
    await screen.findByText('Support assistant');

    await userEvent.click(screen.getByLabelText('Sort by'));
    await userEvent.click(
      await screen.findByRole('option', { name: /Usage on this page/ }),
    );

    await waitFor(() => {
      const rows = within(
        screen.getByRole('table', { name: 'Models' }),
      ).getAllByRole('row');
      expect(rows[1]).toHaveTextContent('churn-classifier');
    });
    expect(
      screen.getByText(/cannot order by number of consumers/),
    ).toBeInTheDocument();
  });

  it('shows an empty state when nothing matches', async () => {
    const catalogApi = setup({
      queryEntities: jest.fn(async () => ({
        items: [],
        totalItems: 0,
        pageInfo: {},
      })),
    });
    await renderPage(catalogApi);
    expect(await screen.findByText('No models match')).toBeInTheDocument();
  });

  it('shows the catalog error', async () => {
    const catalogApi = setup({
      queryEntities: jest.fn(async () => {
        throw new Error('catalog is down');
      }),
    });
    await renderPage(catalogApi);
    expect(
      (await screen.findAllByText(/catalog is down/)).length,
    ).toBeGreaterThan(0);
  });
});
