import { Command } from 'commander';
import {
  AccessTokenInfo,
  modelHubTokenPaths,
} from '@internal/plugin-model-hub-common';
import { UsageError } from '../lib/errors';
import { PortalClient } from '../lib/portal';
import { saveToken } from '../lib/token';

/** Options of `model-hub login`. */
export interface LoginOptions {
  token?: string;
  portal?: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

/**
 * Checks a personal access token against the portal (it must at least read)
 * and saves it for later commands in the user's config (mode 0600).
 */
export async function login(opts: LoginOptions): Promise<number> {
  const token = (opts.token ?? (await readStdin())).trim();
  if (!token) {
    throw new UsageError(
      'login needs a token: --token mhp_… or the token on standard input',
    );
  }
  const portal =
    opts.portal ?? process.env.MODEL_HUB_PORTAL_URL ?? 'http://localhost:7007';
  const client = new PortalClient(portal, token);
  const { body } = await client.json<{ items: AccessTokenInfo[] }>(
    modelHubTokenPaths.tokens,
  );
  const owner = body.items[0]?.owner ?? 'its owner';
  const file = await saveToken(token);
  console.log(`logged in to ${portal} as ${owner}; token saved in ${file}`);
  return 0;
}

/** Registers `model-hub login`. */
export function register(program: Command): void {
  program
    .command('login')
    .description(
      'Save a personal access token (created on the portal page /model-hub/tokens) for later commands',
    )
    .option('--token <token>', 'the token (default: read from standard input)')
    .option(
      '--portal <url>',
      'portal back-end URL (default $MODEL_HUB_PORTAL_URL or http://localhost:7007)',
    )
    .action(async (opts: LoginOptions) => {
      process.exitCode = await login(opts);
    });
}
