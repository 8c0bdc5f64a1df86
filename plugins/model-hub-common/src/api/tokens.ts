/** What a personal access token may do: read, publish (versions, aliases), admin (also governance). */
export type AccessTokenScope = 'read' | 'publish' | 'admin';

/** Every scope, weakest first; each includes the ones before it. */
export const accessTokenScopes: readonly AccessTokenScope[] = [
  'read',
  'publish',
  'admin',
];

/** A personal access token as listed: never its secret. */
export interface AccessTokenInfo {
  id: string;
  /** Entity ref of the user the token acts as. */
  owner: string;
  name: string;
  scopes: AccessTokenScope[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

/** The answer to creating a token: the only time its secret is shown. */
export interface CreatedAccessToken extends AccessTokenInfo {
  /** The token for the `model-hub` CLI and the hub's API (`mhp_…`). */
  token: string;
  /** The same token in the form Hugging Face clients accept (`hf_…`). */
  hfToken: string;
}

/** Body of `POST /v1/tokens`. */
export interface CreateAccessTokenRequest {
  name: string;
  scopes: AccessTokenScope[];
  /** Days until the token expires; the hub's default (90) when absent. */
  expiresInDays?: number;
}

/** Paths of the personal access token routes (relative to the hub's base URL). */
export const modelHubTokenPaths = {
  tokens: '/v1/tokens',
  token(id: string): string {
    return `/v1/tokens/${encodeURIComponent(id)}`;
  },
};
