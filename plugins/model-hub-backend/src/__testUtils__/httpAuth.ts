import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  createModelHubHttpAuthServiceFactory,
  modelHubUserTokenIssuerServiceRef,
} from '../tokens';
import { createTestHttpAuth } from './shared/httpAuth';

export {
  createTestHttpAuth,
  testHttpAuthServiceFactory,
} from './shared/httpAuth';

/**
 * The test http auth with the hub's personal access tokens and service
 * principal grants (as modelHubHttpAuthServiceFactory in a portal); a token's
 * owner gets mock user credentials instead of a token from the auth backend.
 */
export const testModelHubHttpAuthServiceFactory =
  createModelHubHttpAuthServiceFactory(({ pluginId }) =>
    createTestHttpAuth(pluginId),
  );

/** Issues mock user tokens for token owners (the auth backend's part in a portal). */
export const testUserTokenIssuerFactory = createServiceFactory({
  service: modelHubUserTokenIssuerServiceRef,
  deps: {},
  factory() {
    return {
      async issueUserToken(userEntityRef: string) {
        return mockCredentials.user.token(userEntityRef);
      },
    };
  },
});
