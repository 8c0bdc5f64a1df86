import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

/** The CLI entry point, run as a real process by the command tests. */
export const CLI = resolve(__dirname, '../../bin/model-hub');

/** What a CLI run printed and how it exited. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `model-hub ARGS…` in a child process and resolves with its exit code and output. */
export function runCli(
  args: string[],
  options: {
    timeoutMs?: number;
    cwd?: string;
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<CliRun> {
  return new Promise(res => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        timeout: options.timeoutMs ?? 30_000,
        cwd: options.cwd,
        env: options.env ?? process.env,
      },
      (error, stdout, stderr) => {
        let code = 0;
        if (error) code = typeof error.code === 'number' ? error.code : -1;
        res({ code, stdout, stderr });
      },
    );
  });
}
