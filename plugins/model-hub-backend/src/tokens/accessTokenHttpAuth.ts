import {
  AuthService,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { Request } from 'express';
import { looksLikeAccessToken } from './format';
import { requiredScope } from './scopes';
import { OWN_SUBJECT, ServicePrincipalGrant } from './servicePrincipals';
import { requireScope, TokenService, USER_CHECK_TTL_MS } from './TokenService';
import { UserTokenIssuer } from './userTokenIssuer';

/** Framework routes other plugins call (e.g. the permission backend's apply-conditions). */
const FRAMEWORK_PATH = /^\/\.well-known\/backstage\//;
/**
 * The personal access token a request authenticates with (the bearer token,
 * when it has a hub token's shape), or undefined for any other credentials.
 */
export function presentedAccessToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  const token =
    typeof header === 'string'
      ? /^Bearer[ ]+(\S+)$/i.exec(header)?.[1]
      : undefined;
  return token && looksLikeAccessToken(token) ? token : undefined;
}

/** Dependencies of {@link createAccessTokenHttpAuth}. */
export interface AccessTokenHttpAuthOptions {
  /** The http auth this one extends (the default one in a portal). */
  inner: HttpAuthService;
  auth: AuthService;
  pluginId: string;
  /** The token service (opened on first use, after the plugin migrated). */
  tokens: () => Promise<TokenService>;
  issuer: UserTokenIssuer;
  grants: ServicePrincipalGrant[];
  /**
   * What the caller sees of a failed token check; it runs in Backstage's
   * credentials barrier, in front of the plugin's own error handling.
   */
  hideError?: (error: unknown, req: Request) => unknown;
}

/**
 * The hub's http auth: a personal access token (`mhp_…` or `hf_…`) becomes
 * the credentials of the user who owns it, so the permission policy, the
 * ownership checks and the audit log see that user; its scopes limit what
 * the request may do. Service principals are read-only here unless
 * `modelHub.servicePrincipals` grants them writes.
 */
export function createAccessTokenHttpAuth(
  options: AccessTokenHttpAuthOptions,
): HttpAuthService {
  const { inner, auth, pluginId, tokens, issuer, grants } = options;
  const hideError = options.hideError ?? ((error: unknown) => error);
  const perRequest = new WeakMap<Request, Promise<BackstageCredentials>>();
  const perUser = new Map<
    string,
    { credentials: Promise<BackstageCredentials>; renewAt: number }
  >();

  function pathOf(req: Request): string {
    const pathname = (req.originalUrl ?? req.url).split('?')[0];
    const base = `/api/${pluginId}`;
    return pathname.startsWith(base)
      ? pathname.slice(base.length) || '/'
      : pathname;
  }

  /**
   * The owner's Backstage credentials, signed in again at least once a
   * minute: they carry the ownership claims of sign-in, so a user who lost
   * a team stops writing to its models within the minute, as one who left
   * the catalog does (not when the user token's hour ends). Backstage
   * issues user tokens for at least 10 minutes
   * (`auth.backstageTokenExpiration`), so a minute's reuse never outlives
   * one.
   */
  function userCredentials(owner: string): Promise<BackstageCredentials> {
    const cached = perUser.get(owner);
    if (cached && Date.now() < cached.renewAt) return cached.credentials;
    const credentials = issuer
      .issueUserToken(owner)
      .then(token => auth.authenticate(token));
    perUser.set(owner, {
      credentials,
      renewAt: Date.now() + USER_CHECK_TTL_MS,
    });
    credentials.catch(() => perUser.delete(owner));
    return credentials;
  }

  async function fromAccessToken(
    req: Request,
    token: string,
  ): Promise<BackstageCredentials> {
    const verified = await (await tokens()).verify(token);
    const path = pathOf(req);
    requireScope(
      verified.scopes,
      requiredScope(req.method, path),
      `${req.method} ${path}`,
    );
    return userCredentials(verified.owner);
  }

  function checkServiceWrite(req: Request, credentials: BackstageCredentials) {
    if (!auth.isPrincipal(credentials, 'service')) return;
    const subject = credentials.principal.subject;
    if (subject === OWN_SUBJECT) return;
    if (requiredScope(req.method, pathOf(req)) === 'read') return;
    if (FRAMEWORK_PATH.test(pathOf(req))) return;
    if (!grants.some(g => g.subject === subject)) {
      throw new NotAllowedError(
        `Service principal '${subject}' is read-only in the Model Hub; use a personal access token, or grant it actions in modelHub.servicePrincipals`,
      );
    }
  }

  return {
    async credentials(req: Request, opts?: any): Promise<any> {
      const token = presentedAccessToken(req);
      if (!token) {
        const credentials = await inner.credentials(req, opts);
        checkServiceWrite(req, credentials);
        return credentials;
      }
      let credentials = perRequest.get(req);
      if (!credentials) {
        credentials = fromAccessToken(req, token).catch(error => {
          throw hideError(error, req);
        });
        perRequest.set(req, credentials);
      }
      const resolved = await credentials;
      if (opts?.allow && !opts.allow.includes('user')) {
        throw new NotAllowedError(
          `This endpoint does not allow 'user' credentials`,
        );
      }
      return resolved;
    },
    issueUserCookie(res, opts) {
      return inner.issueUserCookie(res, opts);
    },
  } as HttpAuthService;
}
