import {
  coreServices,
  createServiceFactory,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { DefaultHttpAuthService } from '@backstage/backend-defaults/httpAuth';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { createAccessTokenHttpAuth } from './accessTokenHttpAuth';
import { createTokenService } from './createTokenService';
import { readServicePrincipalGrants } from './servicePrincipals';
import { TokenService } from './TokenService';
import {
  hideInternalError,
  readExposeInternalErrors,
} from '../service/errorBoundary';
import { modelHubUserTokenIssuerServiceRef } from './userTokenIssuer';

/** The plugin whose requests accept personal access tokens. */
export const MODEL_HUB_PLUGIN_ID = 'model-hub';

/**
 * Wraps an http auth service for the Model Hub plugin with personal access
 * tokens and the service-principal grants; other plugins keep `inner`.
 */
export function createModelHubHttpAuthServiceFactory(
  makeInner: (deps: {
    auth: any;
    discovery: any;
    pluginId: string;
  }) => HttpAuthService,
) {
  return createServiceFactory({
    service: coreServices.httpAuth,
    deps: {
      auth: coreServices.auth,
      discovery: coreServices.discovery,
      plugin: coreServices.pluginMetadata,
      config: coreServices.rootConfig,
      database: coreServices.database,
      logger: coreServices.logger,
      catalog: catalogServiceRef,
      issuer: modelHubUserTokenIssuerServiceRef,
    },
    factory(deps): HttpAuthService {
      const pluginId = deps.plugin.getId();
      const inner = makeInner({
        auth: deps.auth,
        discovery: deps.discovery,
        pluginId,
      });
      if (pluginId !== MODEL_HUB_PLUGIN_ID) {
        return inner;
      }
      let tokens: Promise<TokenService> | undefined;
      return createAccessTokenHttpAuth({
        inner,
        auth: deps.auth,
        pluginId,
        issuer: deps.issuer,
        grants: readServicePrincipalGrants(deps.config),
        hideError: (error, req) =>
          hideInternalError(error, req, {
            logger: deps.logger,
            exposeInternal: readExposeInternalErrors(deps.config),
          }),
        tokens: () => {
          // The plugin runs the migrations at start-up; requests come after.
          tokens ??= createTokenService({ ...deps, migrate: false });
          return tokens;
        },
      });
    },
  });
}

/**
 * The portal's http auth service: Backstage's default, plus personal access
 * tokens and read-only service principals for the Model Hub plugin. Add it
 * to the backend next to the plugin.
 */
export const modelHubHttpAuthServiceFactory =
  createModelHubHttpAuthServiceFactory(({ auth, discovery, pluginId }) =>
    DefaultHttpAuthService.create({ auth, discovery, pluginId }),
  );
