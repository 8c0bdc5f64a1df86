import {
  MockStorageApi,
  TestApiProvider,
  renderInTestApp,
} from '@backstage/test-utils';
import {
  EntityRefPresentationSnapshot,
  entityPresentationApiRef,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { storageApiRef } from '@backstage/core-plugin-api';
import {
  ModelSearchFacetsResponse,
  ModelSearchItem,
  ModelSearchResponse,
} from '@internal/plugin-model-hub-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { modelHubApiRef } from '../../api';
import { FakeModelHubApi, modelEntity } from '../../__testUtils__/fixtures';
import {
  PAGE_FRAME_SHEETS,
  recordInsertedSheets,
} from '../../__testUtils__/styleSheets';
import { ModelHubPage } from './ModelHubPage';
import { paramsFromQuery, queryFromParams } from './query';

jest.setTimeout(30_000);

const threeWeeksAgo = new Date(Date.now() - 21 * 24 * 3600 * 1000)
  .toISOString()
  .slice(0, 10);

const official: ModelSearchItem = {
  entity: modelEntity('support-assistant', {
    spec: { tier: 'official', task: 'text-generation', framework: 'pytorch' },
    metadata: {
      title: 'Support assistant',
      description: 'Answers support tickets',
      annotations: { 'modelhub.io/last-activity': threeWeeksAgo },
    },
    relations: [
      { type: 'ownedBy', targetRef: 'group:default/ml-platform' },
      { type: 'dependencyOf', targetRef: 'component:default/helpdesk' },
    ],
  }),
  tier: {
    requestedTier: 'official',
    effectiveTier: 'official',
    status: 'passed',
    reason: 'official gate passed for version 1.2.0',
    version: '1.2.0',
  },
};
const community: ModelSearchItem = {
  entity: modelEntity('churn-classifier', {
    spec: { tier: 'community', task: 'tabular-classification' },
  }),
  tier: {
    requestedTier: 'community',
    effectiveTier: null,
    status: 'not-run',
    reason: 'no sealed version',
    version: null,
  },
};

const facets: ModelSearchResponse['facets'] = {
  task: [
    { value: 'text-generation', count: 3 },
    { value: 'tabular-classification', count: 1 },
  ],
  framework: [{ value: 'pytorch', count: 4 }],
  tier: [{ value: 'official', count: 2 }],
  license: [{ value: 'Apache-2.0', count: 4 }],
  owner: [{ value: 'group:default/ml-platform', count: 4 }],
  lifecycle: [{ value: 'production', count: 4 }],
};

function fakeHub(
  answer: (q: any) => ModelSearchResponse = q =>
    q.cursor
      ? { items: [community], totalItems: 42, pageInfo: {} }
      : {
          items: [official],
          totalItems: 42,
          pageInfo: { nextCursor: 'cursor-2' },
        },
  answerFacets: (q: any) => Promise<ModelSearchFacetsResponse> = async () => ({
    facets: facets!,
  }),
) {
  const api = new FakeModelHubApi();
  const search = jest.fn(async (q: any, _o?: { signal?: AbortSignal }) =>
    answer(q),
  );
  const searchFacets = jest.fn((q: any, _o?: { signal?: AbortSignal }) =>
    answerFacets(q),
  );
  api.searchModels = search;
  api.searchModelFacets = searchFacets;
  return { api, search, searchFacets };
}

/** A promise and the function that settles it, for requests a test answers late. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>(r => {
    resolve = r;
  });
  return { promise, resolve };
}

async function renderPage(
  api: FakeModelHubApi,
  options: {
    url?: string;
    storage?: MockStorageApi;
    presentation?: typeof entityPresentationApiRef.T;
  } = {},
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [modelHubApiRef, api],
        [storageApiRef, options.storage ?? MockStorageApi.create()],
        ...(options.presentation
          ? [[entityPresentationApiRef, options.presentation] as const]
          : []),
      ]}
    >
      <ModelHubPage />
    </TestApiProvider>,
    {
      routeEntries: [options.url ?? '/'],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

/** Opens the task filter and chooses tabular-classification (one model). */
async function chooseTabularClassification() {
  await userEvent.click(screen.getByLabelText('Filter by Task'));
  await userEvent.click(
    await screen.findByRole('option', { name: 'tabular-classification (1)' }),
  );
}

const lastCall = (search: jest.Mock) =>
  search.mock.calls[search.mock.calls.length - 1][0];

describe('hub page URL state', () => {
  it('round-trips search, filters, sort and archived through the URL and leaves defaults out', () => {
    const params = new URLSearchParams(
      'q=llama&task=text-generation&owner=group%3Adefault%2Fml&sort=-lastActivity&archived=true',
    );
    const query = queryFromParams(params);
    expect(query).toEqual({
      term: 'llama',
      filters: { task: 'text-generation', owner: 'group:default/ml' },
      sort: 'lastActivity',
      order: 'desc',
      showArchived: true,
    });
    expect(paramsFromQuery(query).toString()).toBe(params.toString());
    expect(
      paramsFromQuery(queryFromParams(new URLSearchParams(''))).toString(),
    ).toBe('');
    // Unknown sorts fall back to name.
    expect(queryFromParams(new URLSearchParams('sort=-size')).sort).toBe(
      'name',
    );
  });
});

describe('ModelHubPage', () => {
  it('shows the hub tier, secondary facts under the name and relative dates with the full date on hover', async () => {
    const { api } = fakeHub();
    await renderPage(api);
    const table = await screen.findByRole('table', { name: 'Models' });
    const headers = within(table)
      .getAllByRole('columnheader')
      .map(h => h.textContent);
    expect(headers).toEqual([
      'Model',
      'Tier',
      'Owner',
      'Lifecycle',
      'License',
      'Last activity',
    ]);
    expect(within(table).getByText('Support assistant')).toBeInTheDocument();
    expect(
      within(table).getByText(
        'text-generation · pytorch · v1.2.0 · 1 consumer',
      ),
    ).toBeInTheDocument();
    expect(within(table).getByText('3 weeks ago')).toBeInTheDocument();
    expect(
      within(table).getByText('3 weeks ago').closest('[title]'),
    ).toHaveAttribute(
      'title',
      new Date(threeWeeksAgo).toLocaleDateString('en', { dateStyle: 'long' }),
    );
    expect(screen.getByRole('status')).toHaveTextContent(
      'Showing 1–1 of 42 models',
    );
  });

  it('restores a shared search from the URL and asks the server for it', async () => {
    const { api, search, searchFacets } = fakeHub();
    await renderPage(api, {
      url: '/?q=support&task=text-generation&sort=-lastActivity',
    });
    await screen.findByText('Support assistant');
    // The page without facet counts, and the counts alongside.
    expect(lastCall(search)).toEqual({
      q: 'support',
      filters: { task: ['text-generation'] },
      sort: '-lastActivity',
      archived: false,
      limit: 25,
      facets: false,
    });
    expect(lastCall(searchFacets)).toEqual({
      q: 'support',
      filters: { task: ['text-generation'] },
      sort: '-lastActivity',
      archived: false,
      limit: 25,
    });
    expect(screen.getByLabelText('Search models')).toHaveValue('support');
  });

  it("sends the first search's requests as the page starts to render, before its filters and table exist, and asks once", async () => {
    let pageInDom: boolean | undefined;
    const { api, search, searchFacets } = fakeHub(() => {
      pageInDom ??= screen.queryByLabelText('Filter by Task') !== null;
      return { items: [official], totalItems: 42, pageInfo: {} };
    });
    await renderPage(api, { url: '/?task=text-generation' });
    await screen.findByText('Support assistant');
    expect(pageInDom).toBe(false);
    // The search of the page took those requests over.
    expect(search).toHaveBeenCalledTimes(1);
    expect(searchFacets).toHaveBeenCalledTimes(1);
    expect(lastCall(search).filters).toEqual({ task: ['text-generation'] });
  });

  it('offers facet counts and re-queries when a filter is chosen', async () => {
    const { api, search } = fakeHub();
    await renderPage(api);
    await screen.findByText('Support assistant');
    await chooseTabularClassification();
    await waitFor(() =>
      expect(lastCall(search).filters).toEqual({
        task: ['tabular-classification'],
      }),
    );
  });

  it("asks for a filter's results at the click, before the page renders for it, and asks once", async () => {
    // What the task filter showed when the narrowed search left.
    let shownAtRequest: string | null | undefined;
    const { api, search, searchFacets } = fakeHub(q => {
      if (q.filters?.task) {
        shownAtRequest = screen.getByLabelText('Filter by Task').textContent;
      }
      return { items: [official], totalItems: 42, pageInfo: {} };
    });
    await renderPage(api);
    await screen.findByText('Support assistant');
    await chooseTabularClassification();
    await waitFor(() =>
      expect(screen.getByLabelText('Filter by Task')).toHaveTextContent(
        'tabular-classification',
      ),
    );
    // The requests left before the filter (and the page) showed the choice.
    expect(shownAtRequest).toBe('Any');
    // The search of the new URL used them: one page and one count request
    // per search, the first and the narrowed.
    await waitFor(() => expect(searchFacets).toHaveBeenCalledTimes(2));
    expect(search).toHaveBeenCalledTimes(2);
  });

  it('updates the table in place from the page alone, not waiting for facet counts, and cancels the older search', async () => {
    const narrowed = deferred<ModelSearchResponse>();
    const slowFacets = deferred<ModelSearchFacetsResponse>();
    const { api, search, searchFacets } = fakeHub(
      q =>
        q.filters?.task
          ? (narrowed.promise as unknown as ModelSearchResponse)
          : { items: [official], totalItems: 42, pageInfo: {} },
      async q => (q.filters?.task ? slowFacets.promise : { facets: facets! }),
    );
    await renderPage(api);
    const table = await screen.findByRole('table', { name: 'Models' });
    await screen.findByText('Support assistant');
    await chooseTabularClassification();
    await waitFor(() => expect(search).toHaveBeenCalledTimes(2));
    // While the narrowed page loads, the last one stays on screen, in the
    // same table, with a progress bar, and the filter keeps its counts.
    expect(screen.getByRole('table', { name: 'Models' })).toBe(table);
    expect(screen.getByLabelText('Loading models')).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('of 42 models');
    expect(search.mock.calls[0][1]?.signal?.aborted).toBe(true);
    expect(searchFacets.mock.calls[0][1]?.signal?.aborted).toBe(true);

    // The page arrives; its facet counts never have: the table updates.
    narrowed.resolve({ items: [community], totalItems: 1, pageInfo: {} });
    expect(await screen.findByText('churn-classifier')).toBeInTheDocument();
    expect(screen.getByRole('table', { name: 'Models' })).toBe(table);
    expect(screen.getByRole('status')).toHaveTextContent(
      'Showing 1–1 of 1 models',
    );
    expect(screen.queryByLabelText('Loading models')).not.toBeInTheDocument();
    expect(search.mock.calls[1][1]?.signal?.aborted).toBe(false);
    // The filters say their counts are not the new search's until they are.
    const filters = screen.getByRole('region', { name: 'Search and filters' });
    expect(filters).toHaveAttribute('aria-busy', 'true');
    slowFacets.resolve({ facets: facets! });
    await waitFor(() => expect(filters).toHaveAttribute('aria-busy', 'false'));
  });

  it('sorts by a column header, toggling the direction', async () => {
    const { api, search } = fakeHub();
    await renderPage(api);
    await screen.findByText('Support assistant');
    await userEvent.click(screen.getByRole('button', { name: 'Owner' }));
    await waitFor(() => expect(lastCall(search).sort).toBe('owner'));
    await screen.findByText('Support assistant');
    await userEvent.click(screen.getByRole('button', { name: 'Owner' }));
    await waitFor(() => expect(lastCall(search).sort).toBe('-owner'));
  });

  it('pages forward with the server cursor and back again', async () => {
    const { api, search } = fakeHub();
    await renderPage(api);
    await screen.findByText('Support assistant');
    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('churn-classifier')).toBeInTheDocument();
    expect(lastCall(search)).toEqual({ cursor: 'cursor-2', limit: 25 });
    expect(screen.getByRole('status')).toHaveTextContent(
      'Showing 26–26 of 42 models',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Previous page' }),
    );
    expect(await screen.findByText('Support assistant')).toBeInTheDocument();
  });

  it('remembers the chosen columns for the user', async () => {
    const storage = MockStorageApi.create();
    const { api } = fakeHub();
    const first = await renderPage(api, { storage });
    await screen.findByText('Support assistant');
    fireEvent.click(screen.getByLabelText('Show column License'));
    await waitFor(() =>
      expect(
        screen.queryByRole('columnheader', { name: 'License' }),
      ).not.toBeInTheDocument(),
    );
    first.unmount();
    await renderPage(api, { storage });
    await screen.findByText('Support assistant');
    expect(
      screen.queryByRole('columnheader', { name: 'License' }),
    ).not.toBeInTheDocument();
    expect(
      screen.getByRole('columnheader', { name: 'Owner' }),
    ).toBeInTheDocument();
  });

  it('says what to do next when a search matches nothing, and clears it', async () => {
    const { api, search } = fakeHub(q =>
      q.q
        ? { items: [], totalItems: 0, pageInfo: {}, facets }
        : { items: [official], totalItems: 1, pageInfo: {}, facets },
    );
    await renderPage(api, { url: '/?q=nothing-like-this' });
    expect(
      await screen.findByText('No models match this search'),
    ).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Clear search and filters' }),
    );
    expect(await screen.findByText('Support assistant')).toBeInTheDocument();
    expect(lastCall(search).q).toBe('');
  });

  it('points to registering a model when the hub has none', async () => {
    const { api } = fakeHub(() => ({ items: [], totalItems: 0, pageInfo: {} }));
    await renderPage(api);
    expect(await screen.findByText('No models yet')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Register a model' }),
    ).toHaveAttribute('href', '/create');
  });

  it('answers a facet click without building the style sheets of the page again', async () => {
    const { api } = fakeHub(q =>
      q.filters?.task
        ? { items: [community], totalItems: 1, pageInfo: {} }
        : { items: [official], totalItems: 42, pageInfo: {} },
    );
    await renderPage(api);
    await screen.findByText('Support assistant');
    await waitFor(() =>
      expect(
        screen.getByRole('region', { name: 'Search and filters' }),
      ).toHaveAttribute('aria-busy', 'false'),
    );
    // The frame must not render again for a search (see recordInsertedSheets).
    const sheets = recordInsertedSheets();
    await chooseTabularClassification();
    await screen.findByText('churn-classifier');
    await waitFor(() =>
      expect(
        screen.getByRole('region', { name: 'Search and filters' }),
      ).toHaveAttribute('aria-busy', 'false'),
    );
    sheets.stop();
    for (const sheet of [...PAGE_FRAME_SHEETS, 'MuiTable']) {
      expect(sheets.names).not.toContain(sheet);
    }
  });

  it("asks the catalog's presentation once per distinct owner of the page, not per row, and links the owner by its title", async () => {
    const shared = modelEntity('second-model', {
      relations: [{ type: 'ownedBy', targetRef: 'group:default/ml-platform' }],
    });
    const other = modelEntity('third-model', {
      relations: [{ type: 'ownedBy', targetRef: 'group:default/quality' }],
    });
    const rows = [
      official,
      ...[shared, other].map(entity => ({ ...community, entity })),
    ];
    const { api } = fakeHub(() => ({
      items: rows,
      totalItems: 3,
      pageInfo: {},
    }));
    const titles: Record<string, string> = {
      'group:default/ml-platform': 'ML Platform',
      'group:default/quality': 'Quality',
    };
    const forEntity = jest.fn((ref: any) => {
      const later: EntityRefPresentationSnapshot = {
        entityRef: ref,
        primaryTitle: titles[ref],
        secondaryTitle: ref,
      };
      return {
        snapshot: { entityRef: ref, primaryTitle: ref.split('/')[1] },
        promise: Promise.resolve(later),
      };
    });
    await renderPage(api, { presentation: { forEntity } });
    await screen.findByText('third-model');
    // Three rows, two owners: two lookups (EntityRefLink made one per row).
    expect(forEntity.mock.calls.map(c => c[0]).sort()).toEqual([
      'group:default/ml-platform',
      'group:default/quality',
    ]);
    // The snapshot says ml-platform; the lookup's answer ML Platform.
    const links = await screen.findAllByRole('link', { name: 'ML Platform' });
    expect(links).toHaveLength(2);
    for (const link of links) {
      expect(link).toHaveAttribute(
        'href',
        '/catalog/default/group/ml-platform',
      );
      expect(link).toHaveAttribute('title', 'group:default/ml-platform');
    }
    expect(screen.getByRole('link', { name: 'Quality' })).toBeInTheDocument();
  });
});
