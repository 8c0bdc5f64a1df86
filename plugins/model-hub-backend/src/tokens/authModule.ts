import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { AuthenticationError, InputError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';
import { OWN_SUBJECT } from './servicePrincipals';
import {
  ACCESS_TOKEN_PROVIDER_ID,
  ACCESS_TOKEN_USER_HEADER,
} from './userTokenIssuer';

/**
 * An auth backend module that lets the Model Hub backend, and nothing else,
 * obtain a Backstage token for the owner of a personal access token it has
 * verified. The user is signed in through the catalog, so ownership claims
 * are the usual ones and a user who left the catalog is refused. Enable it
 * with `auth.providers.model-hub-pat: {}`.
 */
export const authModuleModelHubTokens = createBackendModule({
  pluginId: 'auth',
  moduleId: 'model-hub-pat-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        auth: coreServices.auth,
      },
      async init({ providers, auth }) {
        providers.registerProvider({
          providerId: ACCESS_TOKEN_PROVIDER_ID,
          factory: createProxyAuthProviderFactory<{ userEntityRef: string }>({
            authenticator: createProxyAuthenticator({
              defaultProfileTransform: async () => ({ profile: {} }),
              initialize() {},
              async authenticate({ req }) {
                const token = /^Bearer[ ]+(\S+)$/i.exec(
                  req.headers.authorization ?? '',
                )?.[1];
                if (!token) {
                  throw new AuthenticationError('Missing credentials');
                }
                const credentials = await auth.authenticate(token);
                if (
                  !auth.isPrincipal(credentials, 'service') ||
                  credentials.principal.subject !== OWN_SUBJECT
                ) {
                  throw new AuthenticationError(
                    `Only the Model Hub backend may use the ${ACCESS_TOKEN_PROVIDER_ID} provider`,
                  );
                }
                const userEntityRef = req.header(ACCESS_TOKEN_USER_HEADER);
                if (!userEntityRef?.startsWith('user:')) {
                  throw new InputError(
                    `Header ${ACCESS_TOKEN_USER_HEADER} must name a user entity`,
                  );
                }
                return { result: { userEntityRef } };
              },
            }),
            signInResolver: async ({ result }, ctx) =>
              ctx.signInWithCatalogUser({ entityRef: result.userEntityRef }),
          }),
        });
      },
    });
  },
});
