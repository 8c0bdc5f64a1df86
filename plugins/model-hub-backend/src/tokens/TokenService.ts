import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AuthenticationError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  AccessTokenInfo,
  AccessTokenScope,
  accessTokenScopes,
  CreatedAccessToken,
} from '@internal/plugin-model-hub-common';
import { TokensConfig } from './config';
import { generateToken, hashSecret, parseToken, secretMatches } from './format';
import { StoredAccessToken, TokenStore } from './TokenStore';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Last-used time is written at most this often per token. */
export const LAST_USED_RESOLUTION_MS = 60_000;
/** How long "this user is (not) in the catalog" is believed. */
export const USER_CHECK_TTL_MS = 60_000;

/** Where to create tokens, for the hints in error messages. */
const HINT = 'create a new one on the portal page /model-hub/tokens';

/** Dependencies of {@link TokenService}. */
export interface TokenServiceOptions {
  store: TokenStore;
  config: TokensConfig;
  logger: LoggerService;
  pepper: string;
  /** True when the user entity still exists in the catalog. */
  userExists(userEntityRef: string): Promise<boolean>;
  now?: () => Date;
}

/** A token that authenticated: who it acts as and what it may do. */
export interface VerifiedAccessToken {
  id: string;
  owner: string;
  scopes: AccessTokenScope[];
}

/**
 * Issues, lists, revokes and verifies personal access tokens. Verification
 * reads the token's row (so a revocation takes effect at once), records the
 * last use at most once a minute, and believes the catalog about the owner
 * for a minute.
 */
export class TokenService {
  readonly #store: TokenStore;
  readonly #config: TokensConfig;
  readonly #logger: LoggerService;
  readonly #pepper: string;
  readonly #userExists: (ref: string) => Promise<boolean>;
  readonly #now: () => Date;
  readonly #lastWritten = new Map<string, number>();
  readonly #users = new Map<string, { exists: boolean; at: number }>();

  constructor(options: TokenServiceOptions) {
    this.#store = options.store;
    this.#config = options.config;
    this.#logger = options.logger;
    this.#pepper = options.pepper;
    this.#userExists = options.userExists;
    this.#now = options.now ?? (() => new Date());
  }

  /** Creates a token for `owner`; the answer is the only time its secret is shown. */
  async issue(
    owner: string,
    request: {
      name: string;
      scopes: AccessTokenScope[];
      expiresInDays?: number;
    },
  ): Promise<CreatedAccessToken> {
    const name = request.name.trim();
    if (!name || name.length > 100) {
      throw new InputError('A token needs a name of 1 to 100 characters');
    }
    const scopes = normalizeScopes(request.scopes);
    const days = request.expiresInDays ?? this.#config.defaultExpiryDays;
    if (
      !Number.isInteger(days) ||
      days < 1 ||
      days > this.#config.maxExpiryDays
    ) {
      throw new InputError(
        `Token expiry must be 1 to ${
          this.#config.maxExpiryDays
        } days (modelHub.tokens.maxExpiryDays), not ${days}`,
      );
    }
    const now = this.#now();
    const fresh = generateToken();
    const expiresAt = new Date(now.getTime() + days * DAY_MS);
    await this.#store.insert({
      id: fresh.id,
      owner,
      name,
      scopes,
      secretHash: hashSecret(fresh.secret, this.#pepper),
      createdAt: now,
      expiresAt,
    });
    return {
      id: fresh.id,
      owner,
      name,
      scopes,
      createdAt: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
      token: fresh.token,
      hfToken: fresh.hfToken,
    };
  }

  /** Tokens of `owner` (everyone's when undefined), without secrets. */
  async list(owner?: string): Promise<AccessTokenInfo[]> {
    return (await this.#store.list(owner)).map(withoutHash);
  }

  /**
   * Revokes a token. Only its owner may, unless `asAdmin`; someone else's
   * token is reported as not found so ids cannot be probed.
   */
  async revoke(
    id: string,
    caller: string,
    options: { asAdmin?: boolean } = {},
  ): Promise<AccessTokenInfo> {
    const token = await this.#store.get(id);
    if (!token || (token.owner !== caller && !options.asAdmin)) {
      throw new NotFoundError(
        `No token ${id} of yours; list them with GET /v1/tokens`,
      );
    }
    await this.#store.revoke(id, caller, this.#now());
    return withoutHash((await this.#store.get(id))!);
  }

  /**
   * Verifies a presented token (either prefix). Throws a one-line
   * AuthenticationError for a malformed, unknown, wrong, revoked or expired
   * token, or one whose owner left the catalog.
   */
  async verify(
    presented: string,
    options: { checkOwner?: boolean; recordUse?: boolean } = {},
  ): Promise<VerifiedAccessToken> {
    const parsed = parseToken(presented);
    if (!parsed) {
      throw new AuthenticationError(`Malformed personal access token; ${HINT}`);
    }
    const token = await this.#store.get(parsed.id);
    if (
      !token ||
      !secretMatches(parsed.secret, token.secretHash, this.#pepper)
    ) {
      throw new AuthenticationError(`Unknown personal access token; ${HINT}`);
    }
    const now = this.#now();
    if (token.revokedAt) {
      throw new AuthenticationError(
        `Personal access token '${token.name}' was revoked at ${token.revokedAt}; ${HINT}`,
      );
    }
    if (new Date(token.expiresAt).getTime() <= now.getTime()) {
      throw new AuthenticationError(
        `Personal access token '${token.name}' expired at ${token.expiresAt}; ${HINT}`,
      );
    }
    if (
      options.checkOwner !== false &&
      !(await this.#ownerExists(token.owner, now))
    ) {
      throw new AuthenticationError(
        `Personal access token '${token.name}' belongs to ${token.owner}, who is no longer in the catalog`,
      );
    }
    if (options.recordUse !== false) {
      this.#recordUse(token, now);
    }
    return { id: token.id, owner: token.owner, scopes: token.scopes };
  }

  async #ownerExists(owner: string, now: Date): Promise<boolean> {
    const cached = this.#users.get(owner);
    if (cached && now.getTime() - cached.at < USER_CHECK_TTL_MS) {
      return cached.exists;
    }
    const exists = await this.#userExists(owner);
    this.#users.set(owner, { exists, at: now.getTime() });
    return exists;
  }

  #recordUse(token: StoredAccessToken, now: Date) {
    const last =
      this.#lastWritten.get(token.id) ??
      (token.lastUsedAt ? new Date(token.lastUsedAt).getTime() : 0);
    if (now.getTime() - last < LAST_USED_RESOLUTION_MS) {
      return;
    }
    this.#lastWritten.set(token.id, now.getTime());
    this.#store
      .touch(token.id, now)
      .catch(e =>
        this.#logger.warn(
          `Could not record the use of token ${token.id}: ${e}`,
        ),
      );
  }
}

/** Validates requested scopes: at least one, known names, deduplicated, ordered. */
function normalizeScopes(scopes: unknown): AccessTokenScope[] {
  if (!Array.isArray(scopes) || scopes.length === 0) {
    throw new InputError(
      `A token needs at least one scope of ${accessTokenScopes.join(', ')}`,
    );
  }
  for (const scope of scopes) {
    if (!accessTokenScopes.includes(scope)) {
      throw new InputError(
        `Unknown token scope '${scope}'; use ${accessTokenScopes.join(', ')}`,
      );
    }
  }
  return accessTokenScopes.filter(s => scopes.includes(s));
}

function withoutHash(token: StoredAccessToken): AccessTokenInfo {
  const { secretHash: _, ...info } = token;
  return info;
}

/** Throws when a token's scopes do not include `needed` (admin includes publish, publish includes read). */
export function requireScope(
  scopes: AccessTokenScope[],
  needed: AccessTokenScope,
  what: string,
): void {
  const rank = (s: AccessTokenScope) => accessTokenScopes.indexOf(s);
  const best = Math.max(...scopes.map(rank));
  if (best < rank(needed)) {
    throw new NotAllowedError(
      `This token's scope (${scopes.join(
        ', ',
      )}) does not allow ${what}; it needs a token with the ${needed} scope`,
    );
  }
}
