import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { reusePluginTokens } from './reusedPluginTokens';

/** A JWT-shaped token (unsigned: only its claims matter here). */
const jwt = (claims: Record<string, unknown>) =>
  `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

/** User credentials as the auth service makes them: the token is hidden. */
function userWithToken(ref: string, token: string): BackstageCredentials {
  const credentials = mockCredentials.user(ref);
  Object.defineProperty(credentials, 'token', {
    enumerable: false,
    value: token,
  });
  return credentials;
}

/** Issues plugin tokens like the real auth service: obo the caller, with an expiry. */
function issuingAuth(expiresInS: number | undefined, now: () => number) {
  const issued: string[] = [];
  return {
    issued,
    async getPluginRequestToken({
      onBehalfOf,
      targetPluginId,
    }: {
      onBehalfOf: BackstageCredentials;
      targetPluginId: string;
    }) {
      const obo = (onBehalfOf as { token?: string }).token;
      const token =
        expiresInS === undefined
          ? `mock:${obo}:${issued.length}`
          : jwt({
              aud: targetPluginId,
              obo,
              n: issued.length,
              exp: Math.floor(now() / 1000) + expiresInS,
            });
      issued.push(token);
      return { token };
    },
  };
}

const claims = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

describe('reusePluginTokens', () => {
  let clock = 1_000_000_000_000;
  const now = () => clock;
  const target = { targetPluginId: 'catalog' };

  it('reuses one user token until shortly before it expires, and never across users', async () => {
    const auth = issuingAuth(3600, now);
    const tokens = reusePluginTokens(auth, { renewBeforeMs: 60_000, now });
    const alice = userWithToken('user:default/alice', 'alice-token');
    const bob = userWithToken('user:default/bob', 'bob-token');

    const a1 = await tokens.getPluginRequestToken({
      onBehalfOf: alice,
      ...target,
    });
    const a2 = await tokens.getPluginRequestToken({
      onBehalfOf: alice,
      ...target,
    });
    const b1 = await tokens.getPluginRequestToken({
      onBehalfOf: bob,
      ...target,
    });
    expect(a2.token).toBe(a1.token);
    expect(claims(a1.token).obo).toBe('alice-token');
    expect(claims(b1.token).obo).toBe('bob-token');
    expect(auth.issued).toHaveLength(2);

    // Another target plugin gets its own token.
    await tokens.getPluginRequestToken({
      onBehalfOf: alice,
      targetPluginId: 'x',
    });
    expect(auth.issued).toHaveLength(3);

    clock += 3600_000 - 60_000;
    const a3 = await tokens.getPluginRequestToken({
      onBehalfOf: alice,
      ...target,
    });
    expect(a3.token).not.toBe(a1.token);
    expect(claims(a3.token).obo).toBe('alice-token');
    expect(auth.issued).toHaveLength(4);
  });

  it('reuses a service caller’s token, but issues anew for restricted service callers and tokens whose expiry it cannot read', async () => {
    const service = mockCredentials.service('plugin:other');
    const jwtAuth = issuingAuth(3600, now);
    const forService = reusePluginTokens(jwtAuth, { now });
    await forService.getPluginRequestToken({ onBehalfOf: service, ...target });
    await forService.getPluginRequestToken({ onBehalfOf: service, ...target });
    expect(jwtAuth.issued).toHaveLength(1);

    // Access restrictions are the auth service's to check, every time.
    const restricted = mockCredentials.service('external:ci', {
      permissionNames: ['catalog.entity.read'],
    });
    await forService.getPluginRequestToken({
      onBehalfOf: restricted,
      ...target,
    });
    await forService.getPluginRequestToken({
      onBehalfOf: restricted,
      ...target,
    });
    expect(jwtAuth.issued).toHaveLength(3);

    const opaqueAuth = issuingAuth(undefined, now);
    const opaque = reusePluginTokens(opaqueAuth, { now });
    const carol = userWithToken('user:default/carol', 'carol-token');
    await opaque.getPluginRequestToken({ onBehalfOf: carol, ...target });
    await opaque.getPluginRequestToken({ onBehalfOf: carol, ...target });
    expect(opaqueAuth.issued).toHaveLength(2);
  });

  it('keeps at most maxEntries tokens', async () => {
    const auth = issuingAuth(3600, now);
    const tokens = reusePluginTokens(auth, { maxEntries: 1, now });
    const alice = userWithToken('user:default/alice', 'alice-token');
    const bob = userWithToken('user:default/bob', 'bob-token');
    await tokens.getPluginRequestToken({ onBehalfOf: alice, ...target });
    await tokens.getPluginRequestToken({ onBehalfOf: bob, ...target });
    await tokens.getPluginRequestToken({ onBehalfOf: alice, ...target });
    expect(auth.issued).toHaveLength(3);
  });
});
