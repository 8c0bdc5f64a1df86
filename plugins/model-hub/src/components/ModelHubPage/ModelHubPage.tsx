import { ReactNode, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';
import { Entity } from '@backstage/catalog-model';
import {
  Content,
  ContentHeader,
  EmptyState,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  SupportButton,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { consumerRefs, LAST_ACTIVITY_ANNOTATION } from '../../lib/model';
import { FilterOptions, ModelFilterBar } from './ModelFilterBar';
import { ModelResultsTable } from './ModelResultsTable';
import {
  EMPTY_QUERY,
  FILTER_FIELDS,
  FilterKey,
  MODEL_HUB_PAGE_SIZE,
  ModelHubQuery,
  buildQueryRequest,
} from './query';

function sortByUsage(entities: Entity[]): Entity[] {
  return entities
    .map((entity, index) => ({
      entity,
      index,
      usage: consumerRefs(entity).length,
    }))
    .sort((a, b) => b.usage - a.usage || a.index - b.index)
    .map(e => e.entity);
}

const SORT_NOTES: Record<ModelHubQuery['sort'], string> = {
  name: 'Sorted by name.',
  lastActivity: `Sorted by the ${LAST_ACTIVITY_ANNOTATION} annotation, newest first; models without it come last.`,
  usage:
    'The catalog cannot order by number of consumers, so the models on this page (ordered by name) are re-ordered by their consuming entities (dependencyOf relations).',
};

/** Options of {@link ModelHubPage}. */
export interface ModelHubPageProps {
  /** Page title; defaults to `Model Hub`. */
  title?: string;
}

/** The hub: searches, filters and pages through the Model entities of the catalog. */
export function ModelHubPage(props: ModelHubPageProps) {
  const catalogApi = useApi(catalogApiRef);
  const [termInput, setTermInput] = useState('');
  const [query, setQueryState] = useState<ModelHubQuery>(EMPTY_QUERY);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [page, setPage] = useState(1);

  const setQuery = (next: ModelHubQuery) => {
    setQueryState(next);
    setCursor(undefined);
    setPage(1);
  };

  useDebounce(
    () => {
      if (termInput !== query.term) {
        setQuery({ ...query, term: termInput });
      }
    },
    300,
    [termInput],
  );

  const facets = useAsync(async () => {
    const response = await catalogApi.getEntityFacets({
      filter: { kind: 'Model' },
      facets: Object.values(FILTER_FIELDS),
    });
    const options: FilterOptions = {};
    for (const [key, field] of Object.entries(FILTER_FIELDS)) {
      options[key as FilterKey] = response.facets[field] ?? [];
    }
    return options;
  }, [catalogApi]);

  const results = useAsync(
    () =>
      cursor
        ? catalogApi.queryEntities({ cursor, limit: MODEL_HUB_PAGE_SIZE })
        : catalogApi.queryEntities(buildQueryRequest(query)),
    [catalogApi, query, cursor],
  );

  const goTo = (target: string | undefined, delta: number) => {
    if (target) {
      setCursor(target);
      setPage(p => p + delta);
    }
  };

  let body: ReactNode;
  if (results.loading) {
    body = <Progress />;
  } else if (results.error) {
    body = <ResponseErrorPanel error={results.error} />;
  } else if (!results.value || results.value.items.length === 0) {
    body = (
      <EmptyState
        missing="data"
        title="No models match"
        description="No Model entities in the catalog match this search. Clear filters, or turn on 'Show archived'."
      />
    );
  } else {
    const { items, totalItems, pageInfo } = results.value;
    const shown = query.sort === 'usage' ? sortByUsage(items) : items;
    const first = (page - 1) * MODEL_HUB_PAGE_SIZE + 1;
    body = (
      <>
        <ModelResultsTable entities={shown} />
        <Box
          display="flex"
          justifyContent="space-between"
          alignItems="center"
          p={1}
        >
          <Typography variant="body2" role="status">
            Showing {first}–{first + items.length - 1} of {totalItems} models
          </Typography>
          <Box>
            <Button
              disabled={!pageInfo.prevCursor}
              onClick={() => goTo(pageInfo.prevCursor, -1)}
            >
              Previous page
            </Button>
            <Button
              disabled={!pageInfo.nextCursor}
              onClick={() => goTo(pageInfo.nextCursor, 1)}
            >
              Next page
            </Button>
          </Box>
        </Box>
      </>
    );
  }

  return (
    <Page themeId="tool">
      <Header
        title={props.title ?? 'Model Hub'}
        subtitle="Find governed models: official, community and external"
      />
      <Content>
        <ContentHeader title="Models">
          <SupportButton>
            Official models are vetted by the compliance gauntlet; community
            models are published without those guarantees; external models are
            third-party models registered for visibility.
          </SupportButton>
        </ContentHeader>
        {facets.error && (
          <ResponseErrorPanel
            title="Could not load the filter values"
            error={facets.error}
          />
        )}
        <ModelFilterBar
          term={termInput}
          onTermChange={setTermInput}
          query={query}
          onQueryChange={setQuery}
          options={facets.value ?? {}}
        />
        <Typography variant="caption" color="textSecondary" component="p">
          {SORT_NOTES[query.sort]}
          {query.showArchived ? '' : ' Archived models are hidden.'}
        </Typography>
        <Paper>{body}</Paper>
      </Content>
    </Page>
  );
}
