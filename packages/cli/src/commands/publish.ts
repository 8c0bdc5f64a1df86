import { Command } from 'commander';
import { promises as fs } from 'node:fs';
import {
  CreateModelVersionRequest,
  ModelVersion,
  ModelVersionFile,
} from '@internal/plugin-model-hub-common';
// Only the transfer module: the package index would load the scanner and
// gauntlet too, slowing every CLI start.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import {
  choosePartSize,
  PartHashes,
  sha256WithParts,
  uploadFileInParts,
  uploadWholeFile,
} from '@internal/plugin-model-hub-node/src/transfer';
import { PortalClient, PortalError } from '../lib/portal';
import { listFiles } from '../lib/files';
import { verifySealedManifest } from '../lib/manifest';
import { formatBytes, Progress } from '../lib/progress';
import { parseVersionedModelRef } from '../lib/refs';
import { UsageError } from '../lib/errors';

const MiB = 1024 * 1024;

/** Options of `model-hub publish`. */
export interface PublishOptions {
  model: string;
  version: string;
  portal?: string;
  alias?: string[];
  description?: string;
  /**
   * Part size in MiB for multipart uploads (files larger than one part);
   * by default chosen per file (8–64 MiB) so an interruption costs little.
   */
  partSize?: string;
  /** Parts uploaded at the same time. */
  parallel?: string;
  json?: boolean;
}

interface ManifestEntry {
  path: string;
  sha256: string;
  size: number;
  absPath: string;
  /** Part size when the file goes up in parts; 0 for one request. */
  partSize: number;
  /** The parts' SHA-256s, computed with the whole file's. */
  parts?: PartHashes;
}

type Outcome = 'uploaded' | 'deduplicated' | 'already-in-draft';

/**
 * Publishes every file under `dir` as a new version of a model: hashes each
 * file (and its parts) in one read, creates or continues the draft, adds
 * content the hub already holds by reference, uploads the rest (large files
 * in parallel, resumable parts), seals it, and prints the scan verdicts.
 * Re-running an interrupted publish continues where it stopped.
 */
export async function publish(
  dir: string,
  opts: PublishOptions,
): Promise<number> {
  const { entityRef, selector } = parseVersionedModelRef(opts.model);
  if (selector) {
    throw new UsageError(
      `--model takes a model reference without a version; use --version ${selector}`,
    );
  }
  const fixedPartSize =
    opts.partSize === undefined
      ? undefined
      : positiveInt(opts.partSize, '--part-size') * MiB;
  const parallel = positiveInt(opts.parallel ?? '4', '--parallel');
  const stat = await fs.stat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw new UsageError(`${dir} is not a directory`);
  }
  const files = await listFiles(dir);
  if (files.length === 0) {
    throw new UsageError(`${dir} contains no files to publish`);
  }
  const say = (line: string) => {
    if (!opts.json) console.log(line);
  };
  const client = PortalClient.fromOptions(opts);

  const manifest: ManifestEntry[] = [];
  const total = files.reduce((n, f) => n + f.size, 0);
  const hashing = new Progress('hashing  ', total, { enabled: !opts.json });
  let hashed = 0;
  const onHashed = (n: number) => {
    hashed += n;
    hashing.update(hashed);
  };
  for (const f of files) {
    // The whole file and its parts are hashed together (the parts on a
    // second thread), so sending the parts needs no more hashing.
    const partSize = fixedPartSize ?? choosePartSize(f.size, parallel);
    const sums = await sha256WithParts(f.absPath, partSize, onHashed).catch(
      e => {
        throw new UsageError((e as Error).message);
      },
    );
    manifest.push({
      path: f.relPath,
      sha256: sums.sha256,
      size: sums.size,
      absPath: f.absPath,
      partSize: sums.size > partSize ? partSize : 0,
      parts: sums.parts,
    });
  }
  hashing.done();

  const body: CreateModelVersionRequest = {
    version: opts.version,
    description: opts.description,
    files: manifest.map(({ path, sha256, size }) => ({ path, sha256, size })),
  };
  const created = await client.json<ModelVersion>(
    client.paths.versions(entityRef),
    { method: 'POST', body },
  );
  if (created.status === 200 && created.body.state === 'sealed') {
    say(
      `${entityRef}@${opts.version} is already published with identical content; nothing to do.`,
    );
    await setAliases(client, entityRef, opts, say);
    if (opts.json) printJson(created.body, []);
    return 0;
  }
  const inDraft = new Set(
    created.body.files.map(f => `${f.path}\n${f.sha256}`),
  );
  const pending = manifest.filter(f => !inDraft.has(`${f.path}\n${f.sha256}`));
  const { body: known } = await client.json<{ present: string[] }>(
    '/v1/blobs/exists',
    {
      method: 'POST',
      body: { sha256: [...new Set(pending.map(f => f.sha256))] },
    },
  );
  const present = new Set(known.present);

  say(`publishing ${manifest.length} file(s) to ${entityRef}@${opts.version}`);
  const toSend = pending
    .filter(f => !present.has(f.sha256))
    .reduce((n, f) => n + f.size, 0);
  const progress = new Progress('uploading', toSend, { enabled: !opts.json });
  const results: Array<{
    file: ManifestEntry;
    outcome: Outcome;
    stored?: ModelVersionFile;
  }> = [];
  for (const f of manifest) {
    let outcome: Outcome;
    let stored: ModelVersionFile | undefined;
    if (inDraft.has(`${f.path}\n${f.sha256}`)) {
      outcome = 'already-in-draft';
      stored = created.body.files.find(x => x.path === f.path);
    } else if (present.has(f.sha256)) {
      outcome = 'deduplicated';
      stored = (
        await client.json<ModelVersionFile>(
          `${client.paths.version(entityRef, opts.version)}/files-by-content`,
          { method: 'POST', body: { path: f.path, sha256: f.sha256 } },
        )
      ).body;
    } else {
      outcome = 'uploaded';
      const local = {
        file: f.absPath,
        path: f.path,
        sha256: f.sha256,
        size: f.size,
        parts: f.parts,
      };
      const onBytes = (n: number) => progress.add(n);
      stored =
        f.partSize > 0
          ? await uploadFileInParts(
              client.transport(),
              `${client.paths.version(entityRef, opts.version)}/uploads`,
              local,
              // Parts go straight to S3 when the hub offers presigned URLs.
              { partSize: f.partSize, parallel, onBytes, direct: true },
            )
          : await uploadWholeFile(
              client.transport(),
              client.paths.file(entityRef, opts.version, f.path),
              local,
              onBytes,
            );
    }
    if (stored!.sha256 !== f.sha256) {
      throw new PortalError(
        `the portal stored ${f.path} with SHA-256 ${stored!.sha256}, expected ${
          f.sha256
        }`,
      );
    }
    results.push({ file: f, outcome, stored });
  }
  progress.done();
  for (const { file: f, outcome, stored } of results) {
    say(
      `  ${f.path}  ${formatBytes(f.size)}  sha256:${f.sha256.slice(
        0,
        12,
      )}…  ${outcome}  scan: ${stored!.scan.verdict}`,
    );
    for (const finding of stored!.scan.findings) {
      say(`    [${finding.severity}] ${finding.rule}: ${finding.message}`);
    }
  }

  const sealed = await client.json<ModelVersion>(
    client.paths.seal(entityRef, opts.version),
    { method: 'POST', body: {} },
  );
  verifySealedManifest(manifest, sealed.body);
  say(
    `sealed ${entityRef}@${sealed.body.version}: ${sealed.body.files.length} file(s), scan verdict ${sealed.body.scanVerdict}`,
  );
  await setAliases(client, entityRef, opts, say);
  say(`pull it with: model-hub pull ${entityRef}@${opts.version}`);
  if (opts.json) {
    printJson(
      sealed.body,
      results.map(r => ({ path: r.file.path, outcome: r.outcome })),
    );
  }
  return 0;
}

function positiveInt(value: string, flag: string): number {
  if (!/^[1-9]\d{0,6}$/.test(value)) {
    throw new UsageError(
      `${flag} takes a positive whole number, got '${value}'`,
    );
  }
  return Number(value);
}

function printJson(
  version: ModelVersion,
  files: Array<{ path: string; outcome: Outcome }>,
) {
  console.log(
    JSON.stringify({
      entityRef: version.entityRef,
      version: version.version,
      state: version.state,
      scanVerdict: version.scanVerdict,
      files: version.files.map(f => ({
        path: f.path,
        size: f.size,
        sha256: f.sha256,
        scan: f.scan.verdict,
        outcome:
          files.find(x => x.path === f.path)?.outcome ?? 'already-in-version',
      })),
    }),
  );
}

async function setAliases(
  client: PortalClient,
  entityRef: string,
  opts: PublishOptions,
  say: (line: string) => void,
) {
  for (const alias of opts.alias ?? []) {
    await client.json(client.paths.alias(entityRef, alias), {
      method: 'PUT',
      body: { version: opts.version },
    });
    say(`alias ${alias} -> ${opts.version}`);
  }
}

/** Registers `model-hub publish`. */
export function register(program: Command): void {
  program
    .command('publish')
    .description('Publish the files of a directory as a new version of a model')
    .argument('<dir>', 'directory holding the version files')
    .requiredOption(
      '--model <ref>',
      'the model, e.g. model:default/sentiment-classifier',
    )
    .requiredOption('--version <semver>', 'the version to publish, e.g. 1.2.0')
    .option('--alias <name...>', 'aliases to point at the version, e.g. latest')
    .option('--description <text>', 'what changed in this version')
    .option(
      '--part-size <MiB>',
      'files larger than this go up in resumable parts of this size (default: 8-64 MiB by file size)',
    )
    .option('--parallel <n>', 'parts uploaded at the same time (default 4)')
    .option('--json', 'print one JSON summary instead of progress and text')
    .option(
      '--portal <url>',
      'portal back-end URL (default $MODEL_HUB_PORTAL_URL or http://localhost:7007)',
    )
    .action(async (dir: string, opts: PublishOptions) => {
      process.exitCode = await publish(dir, opts);
    });
}
