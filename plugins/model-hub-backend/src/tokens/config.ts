import { Config } from '@backstage/config';

/** Settings of personal access tokens (`modelHub.tokens`). */
export interface TokensConfig {
  defaultExpiryDays: number;
  maxExpiryDays: number;
  /** Key of the HMAC that stores secrets; undefined means the development pepper. */
  pepper?: string;
  /** Where the development guest token is written at start-up, if enabled. */
  devGuestToken?: { userEntityRef: string; file: string };
}

/** The pepper used when none is configured outside production (logged as a warning). */
export const DEVELOPMENT_PEPPER = 'model-hub-development-pepper-not-secret';

/** Reads `modelHub.tokens`, refusing impossible values with the key to fix. */
export function readTokensConfig(config: Config): TokensConfig {
  const c = config.getOptionalConfig('modelHub.tokens');
  const maxExpiryDays = c?.getOptionalNumber('maxExpiryDays') ?? 365;
  const defaultExpiryDays = Math.min(
    c?.getOptionalNumber('defaultExpiryDays') ?? 90,
    maxExpiryDays,
  );
  if (!(maxExpiryDays >= 1)) {
    throw new Error('modelHub.tokens.maxExpiryDays must be at least 1');
  }
  const dev = c?.getOptionalConfig('devGuestToken');
  return {
    defaultExpiryDays,
    maxExpiryDays,
    pepper: c?.getOptionalString('pepper'),
    devGuestToken:
      dev && dev.getOptionalBoolean('enabled') !== false
        ? {
            userEntityRef:
              dev.getOptionalString('userEntityRef') ?? 'user:default/guest',
            file: dev.getString('file'),
          }
        : undefined,
  };
}
