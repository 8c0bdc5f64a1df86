import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { CatalogClient } from '@backstage/catalog-client';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { reusePluginTokens } from '../service/reusedPluginTokens';
import { identityFetch } from './identityFetch';

/** The catalog calls the model search makes. */
export type SearchCatalog = Pick<
  CatalogService,
  'queryEntities' | 'getEntityFacets'
>;

/** Dependencies of {@link createSearchCatalog}. */
export interface SearchCatalogOptions {
  auth: Pick<AuthService, 'getPluginRequestToken'>;
  discovery: DiscoveryService;
}

/**
 * The model search's own catalog access: the catalog's HTTP API, with
 * identity encoding on node's http client (see {@link identityFetch}) and
 * the caller's plugin token reused while it is valid (see
 * {@link reusePluginTokens}). Every call still carries the
 * caller's identity, so the catalog's permission policy decides what is
 * listed and counted.
 */
export function createSearchCatalog(
  options: SearchCatalogOptions,
): SearchCatalog {
  const client = new CatalogClient({
    discoveryApi: options.discovery,
    fetchApi: { fetch: identityFetch },
  });
  const tokens = reusePluginTokens(options.auth);
  const tokenFor = (credentials: BackstageCredentials) =>
    tokens.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'catalog',
    });
  return {
    async queryEntities(request, { credentials }) {
      return client.queryEntities(request, await tokenFor(credentials));
    },
    async getEntityFacets(request, { credentials }) {
      return client.getEntityFacets(request, await tokenFor(credentials));
    },
  };
}
