import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The file a local development portal writes its guest token to (modelHub.tokens.devGuestToken). */
export const DEV_TOKEN_FILE = path.join('data', 'model-hub-token');

/** Where `model-hub login` keeps the token: $MODEL_HUB_CONFIG_DIR, $XDG_CONFIG_HOME/model-hub or ~/.config/model-hub. */
export function configTokenFile(env = process.env): string {
  const dir =
    env.MODEL_HUB_CONFIG_DIR ??
    path.join(
      env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'),
      'model-hub',
    );
  return path.join(dir, 'token');
}

/** Stores a token for later commands, readable only by the user (0600). */
export async function saveToken(
  token: string,
  env = process.env,
): Promise<string> {
  const file = configTokenFile(env);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}

/** Where the token in use came from, for messages. */
export interface ResolvedToken {
  token: string;
  source: string;
}

/**
 * The token to call the portal with: `MODEL_HUB_TOKEN`, else the one saved by
 * `model-hub login`, else (for a portal on this machine) the development
 * token a local portal wrote to data/model-hub-token in this directory or a
 * parent.
 */
export function resolveToken(
  portal: string,
  env = process.env,
  cwd = process.cwd(),
): ResolvedToken | undefined {
  if (env.MODEL_HUB_TOKEN) {
    return { token: env.MODEL_HUB_TOKEN.trim(), source: 'MODEL_HUB_TOKEN' };
  }
  const saved = readToken(configTokenFile(env));
  if (saved) {
    return { token: saved, source: configTokenFile(env) };
  }
  if (isLocal(portal)) {
    for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
      const file = path.join(dir, DEV_TOKEN_FILE);
      const token = readToken(file);
      if (token) return { token, source: file };
      if (path.dirname(dir) === dir) break;
    }
  }
  return undefined;
}

function readToken(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const token = readFileSync(file, 'utf8').trim();
  return token || undefined;
}

function isLocal(portal: string): boolean {
  try {
    const host = new URL(portal).hostname;
    return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
  } catch {
    return false;
  }
}
