import { execFile } from 'node:child_process';
import os from 'node:os';

/**
 * Environment variables a model-running child process may inherit. Nothing
 * else passes: no database password, cloud keys, tokens or `NODE_OPTIONS`
 * (which could preload code) reach code that parses untrusted models.
 */
export const ISOLATED_ENV_ALLOWLIST: readonly string[] = [
  'PATH',
  'LANG',
  'LC_ALL',
  'TZ',
  // Windows needs these to start a process at all.
  'SYSTEMROOT',
  'WINDIR',
];

/**
 * The minimal environment of a child process: the allowlisted variables of
 * `parent`, plus HOME and TMPDIR pointing at the system temp directory.
 */
export function isolatedEnv(
  parent: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of ISOLATED_ENV_ALLOWLIST) {
    const value = parent[key];
    if (value !== undefined) env[key] = value;
  }
  const tmp = os.tmpdir();
  env.HOME = tmp;
  env.TMPDIR = tmp;
  return env;
}

/** What an isolated process printed, or why it failed. */
export interface IsolatedProcessOutput {
  stdout: string;
}

/** Thrown when the isolated process fails or times out; the message is one line. */
export class IsolatedProcessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IsolatedProcessError';
  }
}

/**
 * Runs a Node.js script in a child process with {@link isolatedEnv}, no
 * inherited `execArgv` (so no `--require` hooks of the parent) and a timeout.
 */
export function runIsolatedNodeScript(
  script: string,
  args: string[],
  options: { timeoutMs: number; maxBuffer?: number },
): Promise<IsolatedProcessOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, ...args],
      {
        timeout: options.timeoutMs,
        maxBuffer: options.maxBuffer ?? 1024 * 1024 * 1024,
        env: isolatedEnv(),
        cwd: os.tmpdir(),
      },
      (error, out, err) => {
        if (error) {
          reject(
            new IsolatedProcessError(
              `${error.killed ? 'timed out' : error.message.split('\n')[0]}${
                err ? `: ${String(err).slice(0, 500)}` : ''
              }`,
            ),
          );
        } else {
          resolve({ stdout: String(out) });
        }
      },
    );
  });
}
