import path from 'node:path';
import {
  AuditorService,
  AuthService,
  DatabaseService,
  HttpAuthService,
  LifecycleService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { readTokensConfig } from './config';
import { createTokenService } from './createTokenService';
import { ensureDevGuestToken } from './devGuestToken';
import { createTokensRouter } from './router';
import {
  readServicePrincipalGrants,
  withServicePrincipalGrants,
} from './servicePrincipals';

/**
 * Wires personal access tokens into the plugin: the token routes, the
 * permissions service limited by service-principal grants, and the local
 * development token written at start-up when enabled.
 */
export async function setupTokens(options: {
  config: Config;
  database: DatabaseService;
  logger: LoggerService;
  auth: AuthService;
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  catalog: CatalogService;
  permissions: PermissionsService;
  lifecycle: LifecycleService;
}) {
  const { config, logger, auth, catalog, lifecycle } = options;
  const tokens = await createTokenService(options);
  const dev = readTokensConfig(config).devGuestToken;
  if (dev) {
    lifecycle.addStartupHook(async () => {
      await ensureDevGuestToken({
        tokens,
        userEntityRef: dev.userEntityRef,
        file: path.resolve(dev.file),
        logger,
      }).catch(e =>
        logger.error(`Could not write the local development token: ${e}`),
      );
    });
  }
  return {
    tokens,
    router: await createTokensRouter({
      tokens,
      httpAuth: options.httpAuth,
      auditor: options.auditor,
    }),
    permissions: withServicePrincipalGrants({
      permissions: options.permissions,
      auth,
      catalog,
      grants: readServicePrincipalGrants(config),
    }),
  };
}
