import FormControlLabel from '@material-ui/core/FormControlLabel';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import Switch from '@material-ui/core/Switch';
import TextField from '@material-ui/core/TextField';
import { humanizeEntityRef } from '@backstage/plugin-catalog-react';
import { parseEntityRef } from '@backstage/catalog-model';
import { ModelSearchSort } from '@internal/plugin-model-hub-common';
import { FILTER_KEYS, FilterKey, ModelHubQuery, SORT_KEYS } from './query';
import { SelectName, selectNameProps } from '../SelectName';

/** Facet values offered per filter, with counts over the current matches. */
export type FilterOptions = Partial<
  Record<FilterKey, Array<{ value: string; count: number }>>
>;

const FILTER_LABELS: Record<FilterKey, string> = {
  task: 'Task',
  framework: 'Framework',
  tier: 'Earned tier',
  license: 'License',
  owner: 'Owning team',
  lifecycle: 'Lifecycle',
};

const SORT_LABELS: Record<ModelSearchSort, string> = {
  name: 'Name',
  title: 'Title',
  task: 'Task',
  framework: 'Framework',
  tier: 'Earned tier',
  owner: 'Owner',
  lifecycle: 'Lifecycle',
  license: 'License',
  lastActivity: 'Last activity',
};

function optionLabel(key: FilterKey, value: string): string {
  if (key !== 'owner') {
    return value;
  }
  try {
    return humanizeEntityRef(parseEntityRef(value), { defaultKind: 'group' });
  } catch {
    return value;
  }
}

function withSelected(
  options: Array<{ value: string; count?: number }>,
  selected: string | undefined,
): Array<{ value: string; count?: number }> {
  if (!selected || options.some(o => o.value === selected)) {
    return options;
  }
  return [...options, { value: selected }];
}

/** Search box, facet filters, sort order and the archived toggle. */
export function ModelFilterBar(props: {
  term: string;
  onTermChange: (term: string) => void;
  query: ModelHubQuery;
  onQueryChange: (query: ModelHubQuery) => void;
  options: FilterOptions;
}) {
  const { term, onTermChange, query, onQueryChange, options } = props;
  const setFilter = (key: FilterKey, value: string) =>
    onQueryChange({ ...query, filters: { ...query.filters, [key]: value } });

  return (
    <Grid container spacing={2} alignItems="center">
      <Grid item xs={12} md={6}>
        <TextField
          fullWidth
          variant="outlined"
          size="small"
          label="Search models"
          placeholder="Name, title or description"
          value={term}
          onChange={e => onTermChange(e.target.value)}
          inputProps={{ 'aria-label': 'Search models' }}
        />
      </Grid>
      <Grid item xs={12} sm={6} md={3}>
        <TextField
          select
          fullWidth
          variant="outlined"
          size="small"
          label="Sort by"
          value={`${query.order === 'desc' ? '-' : ''}${query.sort}`}
          onChange={e => {
            const v = String(e.target.value);
            onQueryChange({
              ...query,
              sort: v.replace(/^-/, '') as ModelSearchSort,
              order: v.startsWith('-') ? 'desc' : 'asc',
            });
          }}
          SelectProps={{ SelectDisplayProps: selectNameProps('hub-sort') }}
        >
          {SORT_KEYS.flatMap(sort => [
            <MenuItem key={sort} value={sort}>
              {SORT_LABELS[sort]} (ascending)
            </MenuItem>,
            <MenuItem key={`-${sort}`} value={`-${sort}`}>
              {SORT_LABELS[sort]} (descending)
            </MenuItem>,
          ])}
        </TextField>
        <SelectName id="hub-sort">Sort by</SelectName>
      </Grid>
      <Grid item xs={12} sm={6} md={3}>
        <FormControlLabel
          control={
            <Switch
              checked={query.showArchived}
              onChange={e =>
                onQueryChange({ ...query, showArchived: e.target.checked })
              }
              inputProps={{ 'aria-label': 'Show archived models' }}
            />
          }
          label="Show archived"
        />
      </Grid>
      {FILTER_KEYS.map(key => (
        <Grid item xs={12} sm={6} md={2} key={key}>
          <TextField
            select
            fullWidth
            variant="outlined"
            size="small"
            label={FILTER_LABELS[key]}
            value={query.filters[key] ?? ''}
            onChange={e => setFilter(key, e.target.value)}
            SelectProps={{
              displayEmpty: true,
              SelectDisplayProps: selectNameProps(`hub-filter-${key}`),
            }}
            InputLabelProps={{ shrink: true }}
          >
            <MenuItem value="">Any</MenuItem>
            {withSelected(options[key] ?? [], query.filters[key]).map(
              ({ value, count }) => (
                <MenuItem key={value} value={value}>
                  {optionLabel(key, value)}
                  {count === undefined ? '' : ` (${count})`}
                </MenuItem>
              ),
            )}
          </TextField>
          <SelectName id={`hub-filter-${key}`}>
            {`Filter by ${FILTER_LABELS[key]}`}
          </SelectName>
        </Grid>
      ))}
    </Grid>
  );
}
