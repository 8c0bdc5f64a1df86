import {
  BackstageCredentials,
  BackstageUserPrincipal,
  coreServices,
  createServiceFactory,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';

/*
 * The test backends' http auth, for this package's tests and the catalog
 * module's, which import it by path (allowed by `src/__testUtils__/shared`
 * in package.json `files`). Test code only: nothing of the plugin imports
 * it, and it imports nothing of the plugin.
 */

const MOCK_SERVICE_TOKEN_PREFIX = 'mock-service-token:';

/**
 * The test backend's http auth, with two differences from the default mock:
 * requests without a token are unauthenticated (not the default user), and a
 * plugin-to-plugin token issued on behalf of a user keeps its calling plugin
 * as the actor, as real tokens do. The default mock drops the actor, and the
 * permission framework refuses to evaluate conditions (apply-conditions) for
 * user credentials without one, so conditional decisions would always fail.
 */
export function createTestHttpAuth(pluginId: string): HttpAuthService {
  const inner = mockServices.httpAuth({
    pluginId,
    defaultCredentials: mockCredentials.none(),
  });
  return {
    async credentials(req, options) {
      const credentials = (await inner.credentials(
        req,
        options,
      )) as BackstageCredentials<BackstageUserPrincipal | { type: string }>;
      const header = req.headers.authorization ?? '';
      const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      const principal = credentials.principal;
      if (
        principal.type === 'user' &&
        'userEntityRef' in principal &&
        token?.startsWith(MOCK_SERVICE_TOKEN_PREFIX)
      ) {
        const { sub } = JSON.parse(
          token.slice(MOCK_SERVICE_TOKEN_PREFIX.length),
        ) as { sub?: string };
        return mockCredentials.user(principal.userEntityRef, {
          actor: { subject: sub ?? 'plugin:unknown' },
        }) as any;
      }
      return credentials as any;
    },
    issueUserCookie: (res, options) => inner.issueUserCookie(res, options),
  };
}

/** {@link createTestHttpAuth} for every plugin of a test backend. */
export const testHttpAuthServiceFactory = createServiceFactory({
  service: coreServices.httpAuth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }): HttpAuthService {
    return createTestHttpAuth(plugin.getId());
  },
});
