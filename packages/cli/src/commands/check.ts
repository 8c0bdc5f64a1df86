import { createReadStream } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Command } from 'commander';
import type { Entity } from '@backstage/catalog-model';
import {
  DEFAULT_TIER_GATES,
  evaluateTierGateChecks,
  readTierGates,
  type ModelEntityV1alpha1,
  type ModelTier,
  type TierGates,
} from '@internal/plugin-model-hub-common';
// Type-only: the modules themselves are loaded lazily in the action.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import type {
  GauntletCheckContext,
  GauntletCheckFile,
  GauntletCheckResult,
} from '@internal/plugin-model-hub-node/src/gauntlet';
import { UsageError } from '../lib/errors';

/** Exit codes of `model-hub check`. */
export const CHECK_EXIT = {
  /** The gate of the tier passes. */
  pass: 0,
  /** The gate of the tier fails. */
  fail: 1,
  /** Bad paths, bad YAML, an invalid Model or bad flags. */
  usage: 4,
} as const;

/** Options of `model-hub check`. */
export interface CheckOptions {
  model: string;
  config?: string;
  tier?: string;
  json?: boolean;
}

/** One check's outcome in the report. */
export type CheckReportEntry = { id: string } & GauntletCheckResult;

/**
 * Whether the checks clear the gate of a tier: the hub's own tier gate
 * (`@internal/plugin-model-hub-common`, as configured under
 * `modelHub.gauntlet.tiers` in `--config`, else the defaults). Official's
 * governance approval happens on the portal and is not part of a pre-flight.
 */
export function gateFor(
  tier: ModelTier,
  checks: ReadonlyArray<Pick<CheckReportEntry, 'id' | 'status' | 'summary'>>,
  gates: TierGates = DEFAULT_TIER_GATES,
): 'pass' | 'fail' {
  return evaluateTierGateChecks({
    tier,
    gates,
    results: checks.map(c => ({
      checkId: c.id,
      status: c.status,
      summary: c.summary,
    })),
  }).passed
    ? 'pass'
    : 'fail';
}

/** The entities of a multi-document YAML file: the (first) Model and the rest. */
export interface ModelFileContents {
  model: ModelEntityV1alpha1;
  others: Entity[];
}

/**
 * Parses a (multi-document) YAML file whose first `kind: Model` document is
 * the model under check; throws a {@link UsageError} for bad YAML or an invalid Model.
 */
export async function readModelFile(
  file: string,
  validate: (entity: unknown) => { valid: boolean; errors: string[] },
): Promise<ModelFileContents> {
  const text = await readFile(file, 'utf8').catch(
    (e: NodeJS.ErrnoException) => {
      throw new UsageError(
        `${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`,
      );
    },
  );
  const { parseAllDocuments } = await import('yaml');
  const entities: Entity[] = [];
  for (const [i, doc] of parseAllDocuments(text).entries()) {
    if (doc.errors.length > 0) {
      throw new UsageError(
        `${file}: YAML document ${i + 1}: ${doc.errors[0].message}`,
      );
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new UsageError(
        `${file}: YAML document ${i + 1} is not an entity (an object)`,
      );
    }
    entities.push(value as Entity);
  }
  // The first Model is the one under check; later Models (base models) join
  // the offline catalog with the other documents.
  const models = entities.filter(e => e.kind === 'Model');
  if (models.length === 0) {
    throw new UsageError(`${file}: no kind: Model document`);
  }
  const result = validate(models[0]);
  if (!result.valid) {
    throw new UsageError(
      `${file}: invalid Model ${JSON.stringify(
        models[0].metadata?.name ?? '',
      )}:\n${result.errors.map(err => `  - ${err}`).join('\n')}`,
    );
  }
  return {
    model: models[0] as ModelEntityV1alpha1,
    others: entities.filter(e => e !== models[0]),
  };
}

/** Every regular file under `dir`, as paths relative to it with `/` separators, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(current: string) {
    const entries = await readdir(current, { withFileTypes: true });
    for (const entry of entries) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile())
        out.push(relative(dir, full).split(sep).join('/'));
    }
  }
  await walk(dir);
  return out.sort();
}

const STATUS_LABEL: Record<string, string> = {
  pass: 'PASS',
  warn: 'WARN',
  fail: 'FAIL',
  error: 'ERROR',
  'not-applicable': 'N/A',
};

/** The text table: one line per check, then the gate. */
export function formatCheckTable(
  checks: CheckReportEntry[],
  tier: ModelTier,
  gate: 'pass' | 'fail',
): string {
  const width = Math.max(5, ...checks.map(c => c.id.length));
  const lines = [`${'CHECK'.padEnd(width)}  STATUS  SUMMARY`];
  for (const c of checks) {
    lines.push(
      `${c.id.padEnd(width)}  ${STATUS_LABEL[c.status].padEnd(6)}  ${
        c.summary
      }`,
    );
    if (c.reason && c.reason !== c.summary) {
      for (const line of c.reason.split('\n')) {
        lines.push(`${''.padEnd(width)}          ${line}`);
      }
    }
  }
  lines.push('', `Gate for tier ${tier}: ${gate.toUpperCase()}`);
  return lines.join('\n');
}

/**
 * Runs every built-in gauntlet check locally on the files in `dir` for the
 * Model in `opts.model`, prints the results, and resolves to the exit code
 * (see {@link CHECK_EXIT}).
 */
export async function check(dir: string, opts: CheckOptions): Promise<number> {
  const st = await stat(dir).catch(() => undefined);
  if (!st) throw new UsageError(`${dir}: no such directory`);
  if (!st.isDirectory()) throw new UsageError(`${dir}: not a directory`);

  const common = await import('@internal/plugin-model-hub-common');
  const { model, others } = await readModelFile(
    opts.model,
    common.validateModelEntity,
  );
  const tierInput = opts.tier ?? model.spec.tier;
  if (!(common.MODEL_TIERS as readonly string[]).includes(tierInput)) {
    throw new UsageError(
      `--tier must be one of ${common.MODEL_TIERS.join(
        ', ',
      )}, got "${tierInput}"`,
    );
  }
  const tier = tierInput as ModelTier;

  const { ConfigReader } = await import('@backstage/config');
  let config = new ConfigReader({});
  if (opts.config) {
    const text = await readFile(opts.config, 'utf8').catch(
      (e: NodeJS.ErrnoException) => {
        throw new UsageError(`${opts.config}: ${e.message}`);
      },
    );
    const { parse } = await import('yaml');
    let data: unknown;
    try {
      data = parse(text);
    } catch (e) {
      throw new UsageError(`${opts.config}: ${(e as Error).message}`);
    }
    if (data !== null && (typeof data !== 'object' || Array.isArray(data))) {
      throw new UsageError(`${opts.config}: not a config object`);
    }
    config = new ConfigReader(
      (data ?? {}) as ConstructorParameters<typeof ConfigReader>[0],
      opts.config,
    );
  }

  const catalogModel = await import('@backstage/catalog-model');
  const canonical = (ref: string): string | undefined => {
    try {
      return catalogModel
        .stringifyEntityRef(catalogModel.parseEntityRef(ref))
        .toLocaleLowerCase('en-US');
    } catch {
      return undefined;
    }
  };
  const byRef = new Map<string, Entity>();
  for (const e of others) {
    if (typeof e.kind !== 'string' || typeof e.metadata?.name !== 'string') {
      continue;
    }
    byRef.set(catalogModel.stringifyEntityRef(e).toLocaleLowerCase('en-US'), e);
  }

  // eslint-disable-next-line @backstage/no-forbidden-package-imports
  const scanner = await import('@internal/plugin-model-hub-node/src/scanner');
  // eslint-disable-next-line @backstage/no-forbidden-package-imports
  const gauntlet = await import('@internal/plugin-model-hub-node/src/gauntlet');

  const now = new Date().toISOString();
  const files: GauntletCheckFile[] = [];
  for (const path of await listFiles(dir)) {
    const full = join(dir, path);
    const scan = await scanner.scanFile(full, { displayPath: path });
    files.push({
      path,
      size: scan.size,
      sha256: scan.sha256,
      format: scan.format,
      scan,
      uploadedBy: 'user:default/local',
      uploadedAt: now,
      open: async () => createReadStream(full),
    });
  }
  const entityRef = catalogModel.stringifyEntityRef(model);
  const version = {
    entityRef,
    version: '0.0.0-local',
    state: 'draft' as const,
    files: files.map(({ open: _open, ...f }) => f),
    aliases: [],
    scanVerdict: scanner.worstVerdict(files.map(f => f.scan.verdict)),
    createdBy: 'user:default/local',
    createdAt: now,
  };
  const warnings: string[] = [];
  const logger = {
    debug: () => {},
    info: () => {},
    warn: (message: string) => warnings.push(message),
    error: (message: string) => warnings.push(message),
    child: () => logger,
  } as unknown as GauntletCheckContext['logger'];
  const ctx: GauntletCheckContext = {
    entity: model,
    version,
    files,
    catalog: {
      async getEntityByRef(ref: string) {
        const key = canonical(ref);
        return key ? byRef.get(key) : undefined;
      },
    },
    config,
    tier,
    logger,
  };

  const checks: CheckReportEntry[] = [];
  for (const c of gauntlet.builtinGauntletChecks) {
    checks.push({ id: c.id, ...(await gauntlet.runGauntletCheck(c, ctx)) });
  }
  let gates: TierGates;
  try {
    gates = readTierGates(config);
  } catch (e) {
    throw new UsageError(`${opts.config}: ${(e as Error).message}`);
  }
  const gate = gateFor(tier, checks, gates);

  if (opts.json) {
    const doc = {
      model: entityRef,
      tier,
      version: {
        files: files.map(f => ({
          path: f.path,
          sha256: f.sha256,
          format: f.format,
          verdict: f.scan.verdict,
        })),
      },
      checks: checks.map(c => ({
        id: c.id,
        status: c.status,
        summary: c.summary,
        ...(c.reason !== undefined ? { reason: c.reason } : {}),
        evidence: c.evidence,
        ...(c.metrics !== undefined ? { metrics: c.metrics } : {}),
      })),
      gate,
    };
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    process.stdout.write(
      `Pre-flight of ${entityRef} (${files.length} file(s) in ${dir}) for tier ${tier}\n` +
        `offline: catalog lookups limited to ${opts.model}\n\n` +
        `${formatCheckTable(checks, tier, gate)}\n`,
    );
  }
  for (const w of warnings) process.stderr.write(`model-hub: ${w}\n`);
  return gate === 'pass' ? CHECK_EXIT.pass : CHECK_EXIT.fail;
}

/** Registers `model-hub check`. */
export function register(program: Command): void {
  program
    .command('check')
    .description(
      'Run the compliance gauntlet locally on a model directory before publishing (offline: catalog lookups limited to the --model file)',
    )
    .argument('<dir>', 'directory with the version files')
    .requiredOption(
      '--model <file>',
      'YAML whose first kind: Model document is the model under check; the other documents (datasets, base models, users, groups) form the offline catalog',
    )
    .option(
      '--config <file>',
      'app-config.yaml whose modelHub.gauntlet settings to use',
    )
    .option(
      '--tier <tier>',
      "tier to gate on (default: the entity's spec.tier)",
    )
    .option('--json', 'print one JSON document instead of a table')
    .addHelpText(
      'after',
      '\nExit codes: 0 the tier gate passes, 1 it fails, 4 usage error (missing directory or file, bad YAML, invalid Model)',
    )
    .action(async (dir: string, opts: CheckOptions) => {
      process.exitCode = await check(dir, opts);
    });
}
