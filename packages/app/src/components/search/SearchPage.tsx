import { makeStyles, Theme, Grid, Paper } from '@material-ui/core';

import { CatalogSearchResultListItem } from '@backstage/plugin-catalog';

import { SearchType } from '@backstage/plugin-search';
import {
  SearchBar,
  SearchFilter,
  SearchResult,
  SearchPagination,
  useSearch,
} from '@backstage/plugin-search-react';
import List from '@material-ui/core/List';
import {
  MODEL_FRAMEWORKS,
  MODEL_TASKS,
  MODEL_TIERS,
} from '@internal/plugin-model-hub-common';
import {
  ModelSearchDocument,
  ModelSearchResultListItem,
} from '@internal/plugin-model-hub';
import { CatalogIcon, Content, Header, Page } from '@backstage/core-components';

const useStyles = makeStyles((theme: Theme) => ({
  bar: {
    padding: theme.spacing(1, 0),
  },
  filters: {
    padding: theme.spacing(2),
    marginTop: theme.spacing(2),
  },
  filter: {
    '& + &': {
      marginTop: theme.spacing(2.5),
    },
  },
}));

/** Task, framework and tier filters, shown once the Model kind is selected. */
const ModelFilters = (props: { className: string }) => {
  const { filters } = useSearch();
  if (filters.kind !== 'Model') return null;
  return (
    <>
      <SearchFilter.Select
        className={props.className}
        label="Task"
        name="task"
        values={[...MODEL_TASKS]}
      />
      <SearchFilter.Select
        className={props.className}
        label="Framework"
        name="framework"
        values={[...MODEL_FRAMEWORKS]}
      />
      <SearchFilter.Select
        className={props.className}
        label="Tier"
        name="tier"
        values={[...MODEL_TIERS]}
      />
    </>
  );
};

const SearchPage = () => {
  const classes = useStyles();

  return (
    <Page themeId="home">
      <Header title="Search" />
      <Content>
        <Grid container direction="row">
          <Grid item xs={12}>
            <Paper className={classes.bar}>
              <SearchBar />
            </Paper>
          </Grid>
          <Grid item xs={3}>
            <SearchType.Accordion
              name="Result Type"
              defaultValue="software-catalog"
              types={[
                {
                  value: 'software-catalog',
                  name: 'Software Catalog',
                  icon: <CatalogIcon />,
                },
              ]}
            />
            <Paper className={classes.filters}>
              <SearchFilter.Select
                className={classes.filter}
                label="Kind"
                name="kind"
                values={[
                  'Component',
                  'Model',
                  'API',
                  'Resource',
                  'Group',
                  'User',
                  'Template',
                ]}
              />
              <ModelFilters className={classes.filter} />
              <SearchFilter.Checkbox
                className={classes.filter}
                label="Lifecycle"
                name="lifecycle"
                values={['experimental', 'production', 'deprecated']}
              />
            </Paper>
          </Grid>
          <Grid item xs={9}>
            <SearchPagination />
            {/* On paper: secondary text on the page background is 4.47:1, below WCAG AA. */}
            <Paper>
              <SearchResult>
                {({ results }) => (
                  <List>
                    {results.map(({ document, highlight, rank }) =>
                      (document as { kind?: string }).kind === 'Model' ? (
                        <ModelSearchResultListItem
                          key={document.location}
                          result={document as unknown as ModelSearchDocument}
                          rank={rank}
                        />
                      ) : (
                        <CatalogSearchResultListItem
                          key={document.location}
                          icon={<CatalogIcon />}
                          result={document}
                          highlight={highlight}
                          rank={rank}
                        />
                      ),
                    )}
                  </List>
                )}
              </SearchResult>
            </Paper>
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
};

export const searchPage = <SearchPage />;
