import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { CatalogTableRow } from '@backstage/plugin-catalog';
import { Entity } from '@backstage/catalog-model';
import { modelEntity } from '../../__testUtils__/fixtures';
import { createTierColumn } from './createTierColumn';

function row(entity: Entity): CatalogTableRow {
  return {
    entity,
    resolved: {
      name: entity.metadata.name,
      entityRef: `${entity.kind.toLowerCase()}:default/${entity.metadata.name}`,
      ownedByRelations: [],
      ownedByRelationsTitle: '',
      partOfSystemRelations: [],
      partOfSystemRelationTitle: '',
    },
  } as CatalogTableRow;
}

describe('createTierColumn', () => {
  const column = createTierColumn();
  const official = row(
    modelEntity('a', {
      spec: { tier: 'official' },
      metadata: { annotations: { 'modelhub.io/effective-tier': 'official' } },
    }),
  );
  const requested = row(modelEntity('b', { spec: { tier: 'official' } }));
  const service = row({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'svc' },
    spec: { type: 'service', tier: 'official' },
  });

  it('renders the tier badge for models', async () => {
    await renderInTestApp(<>{column.render!(official, 'row')}</>);
    expect(screen.getByLabelText('Tier: Official')).toBeInTheDocument();
  });

  it('renders nothing for other kinds, even with a spec.tier', () => {
    expect(column.render!(service, 'row')).toBeNull();
  });

  it('searches and sorts by the badge label', () => {
    expect(column.title).toBe('Tier');
    expect(
      column.customFilterAndSearch!('not yet earned', requested, column),
    ).toBe(true);
    expect(
      column.customFilterAndSearch!('not yet earned', official, column),
    ).toBe(false);
    expect(column.customSort!(official, requested, 'row')).toBeLessThan(0);
  });
});
