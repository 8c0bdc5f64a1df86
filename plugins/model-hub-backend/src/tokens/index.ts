export { authModuleModelHubTokens } from './authModule';
export {
  createModelHubHttpAuthServiceFactory,
  modelHubHttpAuthServiceFactory,
} from './httpAuthServiceFactory';
export {
  modelHubUserTokenIssuerServiceRef,
  type UserTokenIssuer,
} from './userTokenIssuer';
export { createTokenService } from './createTokenService';
export { createTokensRouter } from './router';
export { readTokensConfig } from './config';
export {
  readServicePrincipalGrants,
  withServicePrincipalGrants,
} from './servicePrincipals';
export { TokenService } from './TokenService';
