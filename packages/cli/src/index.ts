/**
 * The `model-hub` command line: scan model files, and talk to a Model Hub
 * portal (publish, pull, pre-flight checks).
 *
 * @packageDocumentation
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';

/** Exit code for a mistake in how the CLI was called. */
export const EXIT_USAGE = 4;

/** What every file in `src/commands/` exports. */
export interface CommandModule {
  /** Adds the command (named like its file) to the program. */
  register(program: Command): void;
}

// Inside the repository the CLI runs from its TypeScript sources
// (bin/model-hub); the packed CLI runs the bundle in dist/ (scripts/pack.js),
// one file per command. Either way the command modules sit in ./commands.
// eslint-disable-next-line no-restricted-syntax
const COMMANDS_DIR = join(__dirname, 'commands');

/** Names of the command modules in `src/commands/` (file name = command name). */
export function commandNames(): string[] {
  return readdirSync(COMMANDS_DIR)
    .filter(f => /^[a-z][a-z0-9-]*\.(ts|js)$/.test(f))
    .map(f => f.slice(0, -3))
    .sort();
}

/**
 * Builds the commander program. When `only` names a command, only that
 * module is loaded, so one command never pays for another's imports.
 */
export function createProgram(only?: string): Command {
  const program = new Command('model-hub')
    .description(
      'Model Hub command line: scan model files and work with a Model Hub portal',
    )
    .version(readVersion(), '-V, --version')
    // Program options only before the subcommand, so `publish --version 1.2.0`
    // is the subcommand's option, not a request for the CLI's version.
    .enablePositionalOptions()
    .exitOverride()
    .showHelpAfterError('(run model-hub --help for usage)');
  const names = commandNames();
  for (const name of only && names.includes(only) ? [only] : names) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(join(COMMANDS_DIR, name)) as CommandModule;
    mod.register(program);
  }
  return program;
}

function readVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../package.json') as { version: string }).version;
}

function firstLine(message: string): string {
  return message.split('\n')[0].trim() || 'unexpected error';
}

function isUsageError(e: unknown): boolean {
  return e instanceof Error && e.name === 'UsageError';
}

/** Errors whose message is the whole story (e.g. the portal's answer): no stack trace. */
function isReportedError(e: unknown): boolean {
  return (
    e instanceof Error &&
    (e.name === 'PortalError' || e.name === 'PresignedTransferError')
  );
}

/**
 * Runs the CLI and resolves to the process exit code: whatever the command
 * set, `4` for usage errors (commander's own included), `0` for help.
 */
export async function main(rawArgv: string[]): Promise<number> {
  process.exitCode = undefined;
  // `--debug` anywhere on the line: unexpected errors show their stack.
  const debug = rawArgv.includes('--debug');
  const argv = rawArgv.filter(a => a !== '--debug');
  const program = createProgram(argv[2]);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version'
      ) {
        return 0;
      }
      return EXIT_USAGE;
    }
    if (isUsageError(e)) {
      process.stderr.write(`model-hub: ${(e as Error).message}\n`);
      return EXIT_USAGE;
    }
    if (isReportedError(e)) {
      process.stderr.write(`model-hub: ${(e as Error).message}\n`);
      return 1;
    }
    // Anything else (a file system error, a bug): one line and a hint,
    // the stack only on request.
    const error = e instanceof Error ? e : new Error(String(e));
    process.stderr.write(
      debug
        ? `${error.stack ?? error.message}\n`
        : `model-hub: ${firstLine(
            error.message,
          )} (run again with --debug for details)\n`,
    );
    return 1;
  }
  const code = process.exitCode;
  return typeof code === 'number' ? code : Number(code ?? 0);
}
