import { ReactElement } from 'react';
import { Entity } from '@backstage/catalog-model';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import {
  EntityProvider,
  catalogApiRef,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { CatalogApi } from '@backstage/catalog-client';
import { ModelHubApi, modelHubApiRef } from '../api';
import { FakeModelHubApi } from './fixtures';

/** Renders an entity card inside a test app with the hub and catalog APIs. */
export async function renderEntityCard(
  element: ReactElement,
  options: {
    entity: Entity;
    modelHubApi?: ModelHubApi;
    catalogApi?: CatalogApi;
  },
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [modelHubApiRef, options.modelHubApi ?? new FakeModelHubApi()],
        [catalogApiRef, options.catalogApi ?? mockCatalogApi()],
      ]}
    >
      <EntityProvider entity={options.entity}>{element}</EntityProvider>
    </TestApiProvider>,
    {
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
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
