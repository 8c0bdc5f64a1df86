import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { AuthenticationError, ResponseError } from '@backstage/errors';

/** The auth provider id of {@link authModuleModelHubTokens}. */
export const ACCESS_TOKEN_PROVIDER_ID = 'model-hub-pat';
/** The header that names the user whose Backstage token the hub asks for. */
export const ACCESS_TOKEN_USER_HEADER = 'x-model-hub-user';

/** Obtains a Backstage user token for the owner of a verified personal access token. */
export interface UserTokenIssuer {
  issueUserToken(userEntityRef: string): Promise<string>;
}

/**
 * Where the hub gets Backstage user tokens for token owners. The default asks
 * the auth backend's `model-hub-pat` provider (authModuleModelHubTokens),
 * which only answers the hub's own service token and signs the user in
 * through the catalog, so a user who left the catalog gets no token.
 */
export const modelHubUserTokenIssuerServiceRef =
  createServiceRef<UserTokenIssuer>({
    id: 'model-hub.user-token-issuer',
    scope: 'plugin',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: { auth: coreServices.auth, discovery: coreServices.discovery },
        factory({ auth, discovery }): UserTokenIssuer {
          return {
            async issueUserToken(userEntityRef) {
              const { token } = await auth.getPluginRequestToken({
                onBehalfOf: await auth.getOwnServiceCredentials(),
                targetPluginId: 'auth',
              });
              const base = await discovery.getBaseUrl('auth');
              const response = await fetch(
                `${base}/${ACCESS_TOKEN_PROVIDER_ID}/refresh`,
                {
                  method: 'POST',
                  headers: {
                    authorization: `Bearer ${token}`,
                    [ACCESS_TOKEN_USER_HEADER]: userEntityRef,
                  },
                },
              );
              if (!response.ok) {
                const error = await ResponseError.fromResponse(response);
                throw new AuthenticationError(
                  `The portal could not sign in ${userEntityRef} for this token (${error.body.error.message}); is auth.providers.${ACCESS_TOKEN_PROVIDER_ID} configured?`,
                );
              }
              const body = (await response.json()) as {
                backstageIdentity?: { token?: string };
              };
              if (!body.backstageIdentity?.token) {
                throw new AuthenticationError(
                  `The portal issued no token for ${userEntityRef}`,
                );
              }
              return body.backstageIdentity.token;
            },
          };
        },
      }),
  });
