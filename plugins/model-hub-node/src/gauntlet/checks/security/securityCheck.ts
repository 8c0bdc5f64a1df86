import { Config } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { ModelFileFormat } from '@internal/plugin-model-hub-common';
import {
  GauntletCheck,
  GauntletCheckContext,
  PendingRescan,
} from '../../check';
import { GauntletCheckResult } from '../../types';
import {
  FileTooLargeError,
  headline,
  readCheckFile,
  statusOf,
} from '../readFile';
import { AdvisoryDatabase, findAdvisories } from './advisories';
import { sharedAdvisoryCache } from './advisoryCache';
import {
  assessFileVerdicts,
  describeVerdicts,
  readUnrecognizedWeightBytes,
} from './fileVerdicts';
import { findRequirementSources } from './requirementSources';
import { isRequirementsFile, parseRequirements } from './requirements';

/** Weight formats that hold only data: loading them cannot run code. */
export const NON_EXECUTABLE_WEIGHT_FORMATS: readonly ModelFileFormat[] = [
  'safetensors',
  'onnx',
  'gguf',
];

/**
 * Weight formats official models may not ship: pickle-based ones and Keras
 * can run code at load time; NumPy archives can hold pickled object arrays.
 */
export const EXECUTABLE_WEIGHT_FORMATS: readonly ModelFileFormat[] = [
  'pickle',
  'pytorch-zip',
  'keras',
  'numpy',
  'numpy-zip',
];

/** Advisory severities that only warn; any other severity fails. */
const WARN_ONLY_SEVERITIES = new Set(['LOW']);

/** Largest requirements file read. */
const MAX_REQUIREMENTS_BYTES = 1024 * 1024;

/** Reads `modelHub.gauntlet.security.advisoryDirectory`. */
export function readAdvisoryDirectory(config: Config): string | undefined {
  return config.getOptionalString(
    'modelHub.gauntlet.security.advisoryDirectory',
  );
}

/**
 * The `security` check. Fails when a file of the version was found unsafe by
 * the scanner; unscannable files (`error`) and unrecognised files that look
 * like weights (by name or size) fail for the official tier and warn
 * otherwise, each named. Requirements lines that change where pip gets code
 * (other indexes, find-links, trusted hosts, URLs, VCS, editables) do the
 * same. The official tier also requires the weights to be in a
 * non-executable format (safetensors, ONNX, GGUF). Pinned Python
 * dependencies in `requirements*.txt` are matched against the OSV advisory
 * directory: a vulnerable pin fails (a LOW-severity one warns); unpinned
 * dependencies and a missing advisory directory warn. A verdict from an
 * older scanner than the running one, not rescanned yet
 * (`pendingRescan`), is not current: the result is an `error` (a `fail`
 * with other failures) at every tier, so no tier is earned on it.
 */
export const securityCheck: GauntletCheck = {
  id: 'security',
  title: 'Security',
  description:
    'Scanner verdicts of every file, non-executable weight formats for official models, and known advisories for the pinned Python dependencies shipped with the version.',
  version: '3',
  async run(ctx: GauntletCheckContext): Promise<GauntletCheckResult> {
    const failures: string[] = [];
    const warnings: string[] = [];
    const official = ctx.tier === 'official';

    // 1. Scanner verdicts, taken when each file was uploaded.
    const files = ctx.files.map(f => ({
      path: f.path,
      format: f.scan.format,
      verdict: f.scan.verdict,
      sha256: f.sha256,
      findings: f.scan.findings.slice(0, 10).map(x => ({
        severity: x.severity,
        rule: x.rule,
        message: x.message,
        ...(x.location ? { location: x.location } : {}),
      })),
      findingsOmitted: Math.max(0, f.scan.findings.length - 10),
    }));
    const verdicts = await assessFileVerdicts(ctx.files, {
      official,
      unrecognizedWeightBytes: readUnrecognizedWeightBytes(ctx.config),
    });
    failures.push(...verdicts.failures);
    warnings.push(...verdicts.warnings);
    // Not current: an older scanner's verdict, its rescan still to come.
    // An unsafe one fails above already.
    const pending = ctx.files
      .filter(f => f.pendingRescan && f.scan.verdict !== 'unsafe')
      .map(f => pendingMessage(f.path, f.pendingRescan!));

    // 2. Weight formats.
    const executableWeights = ctx.files
      .filter(f => EXECUTABLE_WEIGHT_FORMATS.includes(f.scan.format))
      .map(f => ({ path: f.path, format: f.scan.format }));
    const safeWeights = ctx.files
      .filter(f => NON_EXECUTABLE_WEIGHT_FORMATS.includes(f.scan.format))
      .map(f => ({ path: f.path, format: f.scan.format }));
    if (official) {
      for (const w of executableWeights) {
        failures.push(
          `${w.path} is ${
            w.format
          }, a weight format that can execute code when loaded; official models ship weights as ${NON_EXECUTABLE_WEIGHT_FORMATS.join(
            ', ',
          )}`,
        );
      }
      if (executableWeights.length === 0 && safeWeights.length === 0) {
        failures.push(
          `no weight file in ${NON_EXECUTABLE_WEIGHT_FORMATS.join(
            ', ',
          )} format; official models ship weights in a non-executable format`,
        );
      }
    }

    // 3. Python dependencies.
    const requirementFiles = ctx.files.filter(f => isRequirementsFile(f.path));
    const dependencies: JsonObject[] = [];
    const skippedLines: JsonObject[] = [];
    const sourceFindings: JsonObject[] = [];
    const checkedRequirementFiles = new Set(requirementFiles.map(f => f.path));
    let advisoryEvidence: JsonObject | null = null;
    if (requirementFiles.length > 0) {
      const directory = readAdvisoryDirectory(ctx.config);
      let db: AdvisoryDatabase | undefined;
      if (!directory) {
        warnings.push(
          'no advisory directory configured (modelHub.gauntlet.security.advisoryDirectory); dependencies were not checked for known vulnerabilities',
        );
      } else {
        try {
          db = await sharedAdvisoryCache.get(directory);
          advisoryEvidence = {
            directory,
            records: db.records,
            invalidFiles: db.invalid.slice(0, 20),
          };
        } catch (e) {
          throw new Error(
            `cannot read the advisory directory ${directory}: ${
              (e as Error).message
            }`,
          );
        }
      }
      for (const file of requirementFiles) {
        let text: string;
        try {
          text = (await readCheckFile(file, MAX_REQUIREMENTS_BYTES)).toString(
            'utf8',
          );
        } catch (e) {
          if (e instanceof FileTooLargeError) {
            failures.push(
              `${file.path}: ${e.message}; cannot check its dependencies`,
            );
            continue;
          }
          throw e;
        }
        const parsed = parseRequirements(text);
        for (const s of parsed.skipped) {
          skippedLines.push({ file: file.path, ...s });
        }
        for (const finding of findRequirementSources(
          file.path,
          parsed,
          checkedRequirementFiles,
        )) {
          (official ? failures : warnings).push(finding.message);
          sourceFindings.push({ ...finding });
        }
        for (const req of parsed.requirements) {
          const where = `${file.path}:${req.line}`;
          if (!req.pinnedVersion) {
            warnings.push(
              `${req.name}${req.specifier} (${where}) is not pinned to an exact version`,
            );
            dependencies.push({
              file: file.path,
              line: req.line,
              name: req.name,
              specifier: req.specifier,
              pinned: false,
              advisories: [],
            });
            continue;
          }
          const matches = db
            ? findAdvisories(db, req.name, req.pinnedVersion)
            : [];
          for (const m of matches) {
            const message = `${req.name}==${
              req.pinnedVersion
            } (${where}) is affected by ${m.id}${
              m.aliases.length ? ` (${m.aliases.join(', ')})` : ''
            }, severity ${m.severity}: ${m.summary}${
              m.fixedIn ? `; fixed in ${m.fixedIn}` : ''
            }`;
            (WARN_ONLY_SEVERITIES.has(m.severity) ? warnings : failures).push(
              message,
            );
          }
          dependencies.push({
            file: file.path,
            line: req.line,
            name: req.name,
            specifier: req.specifier,
            pinned: true,
            version: req.pinnedVersion,
            advisories: matches.map(m => ({
              id: m.id,
              aliases: m.aliases,
              severity: m.severity,
              summary: m.summary,
              fixedIn: m.fixedIn ?? null,
              url: m.url ?? null,
            })),
          });
        }
      }
    }

    // Pending verdicts decide nothing: an error unless something failed.
    const status =
      pending.length > 0 && failures.length === 0
        ? 'error'
        : statusOf([...failures, ...pending], warnings);
    failures.push(...pending);
    const evidence: JsonObject = {
      tier: ctx.tier,
      verdicts: describeVerdicts(ctx.files),
      files,
      unreadableWeights: verdicts.unreadableWeights,
      pendingRescans: ctx.files
        .filter(f => f.pendingRescan)
        .map(f => ({
          path: f.path,
          scannedBy: f.pendingRescan!.scannedBy,
          current: f.pendingRescan!.current,
        })),
      requirementSources: sourceFindings.slice(0, 50),
      weights: {
        nonExecutable: safeWeights,
        executable: executableWeights,
      },
      requirementFiles: requirementFiles.map(f => f.path),
      dependencies,
      skippedRequirementLines: skippedLines.slice(0, 50),
      advisoryDatabase: advisoryEvidence,
      failures,
      warnings,
    };
    const metrics = {
      files: ctx.files.length,
      unsafe_files: ctx.files.filter(f => f.scan.verdict === 'unsafe').length,
      error_files: ctx.files.filter(f => f.scan.verdict === 'error').length,
      pending_rescan_files: pending.length,
      unreadable_weights: verdicts.unreadableWeights.length,
      requirement_source_findings: sourceFindings.length,
      vulnerable_dependencies: dependencies.filter(
        d => Array.isArray(d.advisories) && d.advisories.length > 0,
      ).length,
    };
    if (status === 'pass') {
      return {
        status,
        summary: `${describeVerdicts(ctx.files)}${
          safeWeights.length
            ? `, weights in ${[...new Set(safeWeights.map(w => w.format))].join(
                ', ',
              )}`
            : ''
        }${
          dependencies.length
            ? `, ${dependencies.length} pinned dependencies without known advisories`
            : ''
        }`,
        evidence,
        metrics,
      };
    }
    if (status === 'error') {
      return {
        status,
        summary: headline(pending),
        reason: [...pending, ...warnings].join('\n'),
        evidence,
        metrics,
      };
    }
    return {
      status,
      summary: headline(status === 'fail' ? failures : warnings),
      reason: [...failures, ...warnings].join('\n'),
      evidence,
      metrics,
    };
  },
};

/** Why a file's verdict decides nothing until its rescan. */
function pendingMessage(path: string, pending: PendingRescan): string {
  const by = pending.scannedBy
    ? `scanner ${pending.scannedBy}`
    : 'a scanner of unknown version';
  return `${path} was scanned by ${by}; its rescan by scanner ${pending.current} is pending, and no tier is earned on an older verdict`;
}
