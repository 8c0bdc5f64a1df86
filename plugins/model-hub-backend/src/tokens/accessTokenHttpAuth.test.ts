import { mockServices } from '@backstage/backend-test-utils';
import { Request } from 'express';
import { createAccessTokenHttpAuth } from './accessTokenHttpAuth';
import { TokenService, USER_CHECK_TTL_MS } from './TokenService';

const ALICE = 'user:default/alice';
const HOUR_MS = 60 * 60_000;

describe('createAccessTokenHttpAuth', () => {
  afterEach(() => jest.restoreAllMocks());

  it('signs a token owner in again after a minute, so a lost team membership stops writing then, not at the end of the user token\u2019s hour', async () => {
    let now = Date.parse('2026-12-07T12:00:00Z');
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    // The catalog's memberships at sign-in are baked into the user token.
    let groups = ['group:default/ml-team'];
    const auth = mockServices.auth.mock({
      async authenticate(token: string) {
        return {
          $$type: '@backstage/BackstageCredentials',
          principal: { type: 'user', userEntityRef: ALICE },
          expiresAt: new Date(now + HOUR_MS),
          claims: JSON.parse(token),
        } as any;
      },
    });
    const httpAuth = createAccessTokenHttpAuth({
      inner: mockServices.httpAuth.mock(),
      auth,
      pluginId: 'model-hub',
      tokens: async () =>
        ({
          verify: async () => ({ id: 't', owner: ALICE, scopes: ['publish'] }),
        } as unknown as TokenService),
      issuer: { issueUserToken: async () => JSON.stringify(groups) },
      grants: [],
    });
    const call = () =>
      httpAuth.credentials({
        method: 'POST',
        originalUrl: '/api/model-hub/v1/models/default/x/versions',
        headers: {
          authorization: `Bearer mhp_${'0'.repeat(16)}_${'a'.repeat(43)}`,
        },
      } as unknown as Request) as Promise<any>;

    expect((await call()).claims).toEqual(['group:default/ml-team']);
    groups = []; // alice leaves ml-team in the catalog
    now += USER_CHECK_TTL_MS - 1_000;
    expect((await call()).claims).toEqual(['group:default/ml-team']);
    now += 2_000;
    expect((await call()).claims).toEqual([]);
  });
});
