import {
  AuthService,
  DatabaseService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { DEVELOPMENT_PEPPER, readTokensConfig } from './config';
import { TokenService } from './TokenService';
import { TokenStore } from './TokenStore';

/**
 * Opens the token service over the plugin's database. The pepper comes from
 * `modelHub.tokens.pepper`; without one, production refuses to start and
 * development uses a fixed, logged development pepper.
 */
export async function createTokenService(options: {
  config: Config;
  database: DatabaseService;
  logger: LoggerService;
  auth: AuthService;
  catalog: CatalogService;
  migrate?: boolean;
  now?: () => Date;
}): Promise<TokenService> {
  const tokensConfig = readTokensConfig(options.config);
  let pepper = tokensConfig.pepper;
  if (!pepper) {
    if (process.env.NODE_ENV === 'production') {
      throw new Error(
        'modelHub.tokens.pepper is required in production (a long random secret, e.g. from MODEL_HUB_TOKEN_PEPPER)',
      );
    }
    pepper = DEVELOPMENT_PEPPER;
  }
  const { auth, catalog } = options;
  return new TokenService({
    store: await TokenStore.create({
      database: options.database,
      migrate: options.migrate,
    }),
    config: tokensConfig,
    logger: options.logger,
    pepper,
    now: options.now,
    async userExists(userEntityRef) {
      const entity = await catalog.getEntityByRef(userEntityRef, {
        credentials: await auth.getOwnServiceCredentials(),
      });
      return entity?.kind.toLocaleLowerCase('en-US') === 'user';
    },
  });
}
