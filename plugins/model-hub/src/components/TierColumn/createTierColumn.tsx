import { TableColumn } from '@backstage/core-components';
import { CatalogTableRow } from '@backstage/plugin-catalog';
import { getTierStatus } from '../../lib/model';
import { TierBadge, describeTier } from '../TierBadge';

/**
 * A catalog table column showing the tier badge of Model entities (empty for
 * other kinds). Add it to `CatalogIndexPage columns`.
 */
export function createTierColumn(
  options: { title?: string } = {},
): TableColumn<CatalogTableRow> {
  const isModel = (row: CatalogTableRow) =>
    row.entity.kind.toLocaleLowerCase('en-US') === 'model';
  const label = (row: CatalogTableRow) =>
    isModel(row) ? describeTier(getTierStatus(row.entity)).label : '';
  return {
    title: options.title ?? 'Tier',
    field: 'entity.spec.tier',
    width: 'auto',
    render: row => (isModel(row) ? <TierBadge entity={row.entity} /> : null),
    customFilterAndSearch: (query, row) =>
      label(row)
        .toLocaleLowerCase('en-US')
        .includes(String(query).toLocaleLowerCase('en-US')),
    customSort: (a, b) => label(a).localeCompare(label(b)),
  };
}
