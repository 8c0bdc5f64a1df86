import { ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useDebounce from 'react-use/esm/useDebounce';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  ModelSearchFacet,
  ModelSearchFacetsResponse,
  ModelSearchSort,
} from '@internal/plugin-model-hub-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormGroup from '@material-ui/core/FormGroup';
import LinearProgress from '@material-ui/core/LinearProgress';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { modelHubApiRef } from '../../api';
import { FilterOptions, ModelFilterBar } from './ModelFilterBar';
import { ModelResultsTable } from './ModelResultsTable';
import {
  EMPTY_QUERY,
  FILTER_KEYS,
  MODEL_HUB_PAGE_SIZE,
  ModelHubQuery,
  isFiltered,
  paramsFromQuery,
  queryFromParams,
  toSearchQuery,
} from './query';
import { HUB_COLUMNS, HubColumn, useHubColumns } from './useHubColumns';
import { useModelSearch } from './useModelSearch';

function facetOptions(response?: ModelSearchFacetsResponse): FilterOptions {
  const options: FilterOptions = {};
  for (const key of FILTER_KEYS) {
    options[key as ModelSearchFacet] = response?.facets?.[key] ?? [];
  }
  return options;
}

/**
 * The hub's search: searches, filters, sorts and pages through the models the
 * user may see, server-side (`GET /api/model-hub/v1/models`). The search,
 * filters and sort live in the URL, so a search can be shared; the chosen
 * columns are remembered per user. It holds every piece of the page's state,
 * so that a change re-renders it and not the page frame around it.
 */
export function ModelHubSearch() {
  const hubApi = useApi(modelHubApiRef);
  const [searchParams, setSearchParams] = useSearchParams();
  const query = useMemo(() => queryFromParams(searchParams), [searchParams]);
  const [termInput, setTermInput] = useState(query.term);
  // Cursors of the pages before the current one (Previous pops one).
  const [cursors, setCursors] = useState<string[]>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [columns, setColumns] = useHubColumns();

  // The first page carries the total; the facet counts come alongside.
  const searchQuery = useMemo(() => toSearchQuery(query), [query]);
  const current = useModelSearch(
    hubApi,
    searchQuery,
    cursor,
    MODEL_HUB_PAGE_SIZE,
  );
  const { prefetch } = current;

  // The new search's requests leave at the click, before the URL changes
  // and the page (and every route-aware component) renders for it.
  const setQuery = useCallback(
    (next: ModelHubQuery) => {
      const params = paramsFromQuery(next);
      prefetch(toSearchQuery(queryFromParams(params)));
      setSearchParams(params, { replace: false });
    },
    [prefetch, setSearchParams],
  );
  // A new search starts at the first page.
  useEffect(() => {
    setCursor(undefined);
    setCursors(old => (old.length ? [] : old));
  }, [searchParams]);
  useEffect(() => setTermInput(query.term), [query.term]);

  useDebounce(
    () => {
      if (termInput !== query.term) setQuery({ ...query, term: termInput });
    },
    300,
    [termInput],
  );

  // Stable while the query is, so the (memo) table skips the renders for
  // the progress bar and the facet counts.
  const onSort = useCallback(
    (sort: ModelSearchSort) =>
      setQuery({
        ...query,
        sort,
        order: query.sort === sort && query.order === 'asc' ? 'desc' : 'asc',
      }),
    [query, setQuery],
  );
  const toggleColumn = (column: HubColumn, on: boolean) =>
    setColumns(on ? [...columns, column] : columns.filter(c => c !== column));

  let body: ReactNode;
  if (current.error) {
    body = <ResponseErrorPanel error={current.error} />;
  } else if (!current.page) {
    body = <Progress />;
  } else if (!current.loading && current.page.items.length === 0) {
    body = isFiltered(query) ? (
      <EmptyState
        missing="data"
        title="No models match this search"
        description={`Nothing matches${
          query.term ? ` "${query.term}"` : ''
        } with these filters${
          query.showArchived ? '' : ' (archived models are hidden)'
        }. Remove a filter or search for a broader term.`}
        action={
          <Button
            variant="contained"
            color="primary"
            onClick={() => setQuery({ ...EMPTY_QUERY, sort: query.sort })}
          >
            Clear search and filters
          </Button>
        }
      />
    ) : (
      <EmptyState
        missing="content"
        title="No models yet"
        description="Register a model with the 'Register a model' template, or publish one with `npx model-hub publish <dir> --model model:default/<name> --version 1.0.0`. It appears here once the catalog has read it."
        action={
          <Button variant="contained" color="primary" href="/create">
            Register a model
          </Button>
        }
      />
    );
  } else {
    // The last page stays (and stays mounted) until the next one arrives.
    const { items, pageInfo } = current.page;
    const total = current.total ?? current.page.totalItems;
    const start = cursors.length * MODEL_HUB_PAGE_SIZE + 1;
    body = (
      <>
        {current.loading && <LinearProgress aria-label="Loading models" />}
        <ModelResultsTable
          items={items}
          columns={columns}
          sort={query.sort}
          order={query.order}
          onSort={onSort}
        />
        <Box
          display="flex"
          justifyContent="space-between"
          alignItems="center"
          p={1}
        >
          <Typography variant="body2" role="status">
            Showing {start}–{start + items.length - 1} of {total} models
          </Typography>
          <Box>
            <Button
              disabled={cursors.length === 0}
              onClick={() => {
                setCursor(cursors.at(-1) || undefined);
                setCursors(cursors.slice(0, -1));
              }}
            >
              Previous page
            </Button>
            <Button
              disabled={current.loading || !pageInfo.nextCursor}
              onClick={() => {
                setCursors([...cursors, cursor ?? '']);
                setCursor(pageInfo.nextCursor);
              }}
            >
              Next page
            </Button>
          </Box>
        </Box>
      </>
    );
  }

  return (
    <>
      {/* On paper: secondary text on the page background is 4.47:1, below WCAG AA. */}
      <Paper>
        <Box
          p={2}
          mb={2}
          component="section"
          aria-label="Search and filters"
          aria-busy={current.facetsLoading}
        >
          <ModelFilterBar
            term={termInput}
            onTermChange={setTermInput}
            query={query}
            onQueryChange={setQuery}
            options={facetOptions(current.facets)}
          />
          <Box display="flex" alignItems="center" flexWrap="wrap" mt={1}>
            <Typography variant="body2" color="textSecondary">
              Columns:
            </Typography>
            <FormGroup row>
              {(Object.keys(HUB_COLUMNS) as HubColumn[]).map(c => (
                <FormControlLabel
                  key={c}
                  label={HUB_COLUMNS[c]}
                  control={
                    <Checkbox
                      size="small"
                      checked={columns.includes(c)}
                      onChange={e => toggleColumn(c, e.target.checked)}
                      inputProps={{
                        'aria-label': `Show column ${HUB_COLUMNS[c]}`,
                      }}
                    />
                  }
                />
              ))}
            </FormGroup>
            {current.facets?.facetsApproximate && (
              <Typography variant="caption" color="textSecondary">
                Filter counts cover the first matches of this search only.
              </Typography>
            )}
          </Box>
        </Box>
      </Paper>
      <Paper>{body}</Paper>
    </>
  );
}
