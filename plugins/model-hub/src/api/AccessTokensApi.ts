import { createApiRef } from '@backstage/core-plugin-api';
import {
  AccessTokenInfo,
  CreateAccessTokenRequest,
  CreatedAccessToken,
} from '@internal/plugin-model-hub-common';

/** The signed-in user's personal access tokens for the hub's API and CLI. */
export interface AccessTokensApi {
  /** The user's tokens, newest first, without secrets. */
  listTokens(): Promise<AccessTokenInfo[]>;
  /** Creates a token; the answer is the only time its secret is shown. */
  createToken(request: CreateAccessTokenRequest): Promise<CreatedAccessToken>;
  /** Revokes one of the user's tokens. */
  revokeToken(id: string): Promise<AccessTokenInfo>;
}

/** API reference for the {@link AccessTokensApi}. */
export const accessTokensApiRef = createApiRef<AccessTokensApi>({
  id: 'plugin.model-hub.access-tokens',
});
