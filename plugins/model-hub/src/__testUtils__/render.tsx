import { ReactElement } from 'react';
import { useLocation } from 'react-router-dom';
import { Entity } from '@backstage/catalog-model';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import {
  EntityProvider,
  catalogApiRef,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { CatalogApi } from '@backstage/catalog-client';
import {
  ImportApi,
  importApiRef,
  ModelHubApi,
  modelHubApiRef,
  UsageApi,
  usageApiRef,
} from '../api';
import { FakeModelHubApi } from './fixtures';

/** Renders an entity card inside a test app with the hub and catalog APIs. */
export async function renderEntityCard(
  element: ReactElement,
  options: {
    entity: Entity;
    modelHubApi?: ModelHubApi;
    catalogApi?: CatalogApi;
    /** The usage API, registered only when given (as in a portal without it). */
    usageApi?: Partial<UsageApi>;
    /** The import API, registered only when given. */
    importApi?: Partial<ImportApi>;
    /** Where the test app starts, e.g. `/?a=1.0.0&b=1.1.0`. */
    routeEntries?: string[];
  },
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [modelHubApiRef, options.modelHubApi ?? new FakeModelHubApi()],
        [catalogApiRef, options.catalogApi ?? mockCatalogApi()],
        ...(options.usageApi
          ? [[usageApiRef, options.usageApi] as [typeof usageApiRef, UsageApi]]
          : []),
        ...(options.importApi
          ? [
              [importApiRef, options.importApi] as [
                typeof importApiRef,
                ImportApi,
              ],
            ]
          : []),
      ]}
    >
      <EntityProvider entity={options.entity}>{element}</EntityProvider>
    </TestApiProvider>,
    {
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      routeEntries: options.routeEntries,
    },
  );
}

/**
 * A CatalogApi whose methods are jest mocks; pass implementations for the
 * methods a test needs. (`catalogApiMock` from catalog-react's testUtils
 * needs `@backstage/frontend-test-utils`, which this repo does not install.)
 */
export function mockCatalogApi(
  methods: Partial<Record<keyof CatalogApi, jest.Mock>> = {},
): CatalogApi & Record<keyof CatalogApi, jest.Mock> {
  const unexpected = (name: string) =>
    jest.fn(async () => {
      throw new Error(`unexpected catalog call: ${name}`);
    });
  return new Proxy(methods, {
    get(target, prop: string) {
      if (!(prop in target)) {
        (target as Record<string, jest.Mock>)[prop] = unexpected(prop);
      }
      return (target as Record<string, jest.Mock>)[prop];
    },
  }) as CatalogApi & Record<keyof CatalogApi, jest.Mock>;
}

/** Shows the current router location's query, for tests of deep links. */
export function LocationSearch() {
  return <output data-testid="location-search">{useLocation().search}</output>;
}
