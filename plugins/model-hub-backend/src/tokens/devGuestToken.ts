import fs from 'node:fs/promises';
import path from 'node:path';
import { LoggerService } from '@backstage/backend-plugin-api';
import { TokenService } from './TokenService';

/** The name of the development guest token, as listed on the tokens page. */
export const DEV_GUEST_TOKEN_NAME = 'local development (written to a file)';

/**
 * Local development: makes sure `file` holds a working personal access token
 * of `userEntityRef` (read + publish), issuing and writing one (mode 0600)
 * when the file is missing or its token was revoked or expired. Never in
 * production. Returns the token.
 */
export async function ensureDevGuestToken(options: {
  tokens: TokenService;
  userEntityRef: string;
  file: string;
  logger: LoggerService;
}): Promise<string | undefined> {
  const { tokens, userEntityRef, file, logger } = options;
  if (process.env.NODE_ENV === 'production') {
    logger.warn(
      'modelHub.tokens.devGuestToken is ignored in production; create tokens on /model-hub/tokens',
    );
    return undefined;
  }
  const existing = (await fs.readFile(file, 'utf8').catch(() => '')).trim();
  if (existing) {
    try {
      const verified = await tokens.verify(existing, {
        checkOwner: false,
        recordUse: false,
      });
      if (verified.owner === userEntityRef) {
        logger.info(
          `Local development token of ${userEntityRef} is in ${file}`,
        );
        return existing;
      }
    } catch {
      // Revoked, expired or from another database: issue a new one.
    }
  }
  const created = await tokens.issue(userEntityRef, {
    name: DEV_GUEST_TOKEN_NAME,
    scopes: ['read', 'publish'],
  });
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, `${created.token}\n`, { mode: 0o600 });
  await fs.chmod(file, 0o600);
  logger.info(
    `Issued a local development token of ${userEntityRef} (read, publish; expires ${created.expiresAt}) and wrote it to ${file}: ${created.token}`,
  );
  return created.token;
}
