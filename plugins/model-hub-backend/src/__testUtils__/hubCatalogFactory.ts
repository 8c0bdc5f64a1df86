import { createServiceFactory } from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { hubCatalogServiceRef } from '../service/hubCatalog';

/**
 * The hub's catalog reads through the test's catalog service (the plugin's
 * default reads the catalog's HTTP API, which a test backend with a mocked
 * catalog does not run). Every test backend of the hub, in this package and
 * in the modules that start the hub in process, adds this one.
 */
export const catalogServiceHubCatalogFactory = createServiceFactory({
  service: hubCatalogServiceRef,
  deps: { catalog: catalogServiceRef },
  factory: ({ catalog }) => catalog,
});
