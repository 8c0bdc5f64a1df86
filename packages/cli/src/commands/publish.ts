import { Command } from 'commander';
import { promises as fs } from 'node:fs';
import {
  CreateModelVersionRequest,
  MODEL_HUB_SHA256_HEADER,
  ModelVersion,
  ModelVersionFile,
} from '@internal/plugin-model-hub-common';
import { PortalClient, PortalError } from '../lib/portal';
import { fileRangeBody } from '../lib/bodies';
import { putPresigned } from '../lib/presigned';
import { hashFileAndParts, listFiles } from '../lib/files';
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
  /** Part size in MiB for multipart uploads (files larger than one part). */
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
  /** SHA-256 of each part when the file goes up in parts. */
  parts: string[];
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
  const partSize = positiveInt(opts.partSize ?? '64', '--part-size') * MiB;
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
  let hashedBefore = 0;
  for (const f of files) {
    const offset = hashedBefore;
    const multipart = f.size > partSize;
    const { sha256, parts } = await hashFileAndParts(
      f.absPath,
      multipart ? partSize : 0,
      d => hashing.update(offset + d),
    );
    hashedBefore += f.size;
    manifest.push({
      path: f.relPath,
      sha256,
      size: f.size,
      absPath: f.absPath,
      parts,
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
      stored =
        f.parts.length > 0
          ? await uploadInParts(
              client,
              entityRef,
              opts.version,
              f,
              partSize,
              parallel,
              n => progress.add(n),
            )
          : await uploadWhole(client, entityRef, opts.version, f, n =>
              progress.add(n),
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

async function uploadWhole(
  client: PortalClient,
  entityRef: string,
  version: string,
  f: ManifestEntry,
  onBytes: (n: number) => void,
): Promise<ModelVersionFile> {
  const res = await client.request(
    client.paths.file(entityRef, version, f.path),
    {
      method: 'PUT',
      headers: {
        'content-type': 'application/octet-stream',
        [MODEL_HUB_SHA256_HEADER]: f.sha256,
      },
      body: fileRangeBody(
        f.absPath,
        0,
        f.size - 1,
        onBytes,
      ) as unknown as BodyInit,
    },
  );
  return (await res.json()) as ModelVersionFile;
}

interface UploadStatus {
  uploadId: string;
  partCount: number;
  parts: Array<{ number: number; sha256: string }>;
  /** Present when the hub offers direct S3 transfers: presigned part URLs. */
  direct?: { parts: Array<{ number: number; url: string }> };
}

/**
 * Parts PUT directly to S3: presigned URLs from the hub (asked again once
 * when S3 refuses an expired one), then a receipt to the hub per part.
 */
class DirectParts {
  readonly #client: PortalClient;
  readonly #uploadUrl: string;
  #urls: Map<number, string>;

  constructor(client: PortalClient, uploadUrl: string, status: UploadStatus) {
    this.#client = client;
    this.#uploadUrl = uploadUrl;
    this.#urls = urlsOf(status);
  }

  async send(
    n: number,
    f: ManifestEntry,
    start: number,
    end: number,
    onBytes: (n: number) => void,
  ): Promise<void> {
    let sent = 0;
    const count = (b: number) => {
      sent += b;
      onBytes(b);
    };
    let etag: string;
    try {
      etag = await putPresigned(this.#url(n), f.absPath, start, end, count);
    } catch (e) {
      if (!(e instanceof PortalError) || e.status !== 403) throw e;
      // Most likely expired: fresh URLs, one more try.
      onBytes(-sent);
      const { body } = await this.#client.json<UploadStatus>(this.#uploadUrl);
      this.#urls = urlsOf(body);
      etag = await putPresigned(this.#url(n), f.absPath, start, end, onBytes);
    }
    await this.#client.json(`${this.#uploadUrl}/direct-parts`, {
      method: 'POST',
      body: { number: n, size: end - start + 1, sha256: f.parts[n - 1], etag },
    });
  }

  #url(n: number): string {
    const url = this.#urls.get(n);
    if (!url) {
      throw new PortalError(`the hub offered no S3 URL for part ${n}`);
    }
    return url;
  }
}

function urlsOf(status: UploadStatus): Map<number, string> {
  return new Map((status.direct?.parts ?? []).map(p => [p.number, p.url]));
}

/**
 * Sends a large file in parts, up to `parallel` at a time. The hub returns
 * the parts it already holds for the same content, so a re-run sends only
 * the rest; completion makes the hub verify the whole file. When the hub
 * offers direct transfers, each part goes straight to S3 through its
 * presigned URL and only a receipt (size, SHA-256, ETag) goes to the hub.
 */
async function uploadInParts(
  client: PortalClient,
  entityRef: string,
  version: string,
  f: ManifestEntry,
  partSize: number,
  parallel: number,
  onBytes: (n: number) => void,
): Promise<ModelVersionFile> {
  const base = `${client.paths.version(entityRef, version)}/uploads`;
  const { body: status } = await client.json<UploadStatus>(base, {
    method: 'POST',
    body: {
      path: f.path,
      sha256: f.sha256,
      size: f.size,
      partSize,
      direct: true,
    },
  });
  const uploadUrl = `${base}/${status.uploadId}`;
  const direct = status.direct && new DirectParts(client, uploadUrl, status);
  const have = new Map(status.parts.map(p => [p.number, p.sha256]));
  const todo: number[] = [];
  for (let n = 1; n <= f.parts.length; n++) {
    const start = (n - 1) * partSize;
    const length = Math.min(partSize, f.size - start);
    if (have.get(n) === f.parts[n - 1]) onBytes(length);
    else todo.push(n);
  }
  const worker = async () => {
    for (let n = todo.shift(); n !== undefined; n = todo.shift()) {
      const start = (n - 1) * partSize;
      const end = Math.min(f.size, start + partSize) - 1;
      if (direct) {
        await direct.send(n, f, start, end, onBytes);
        continue;
      }
      await client.request(`${base}/${status.uploadId}/parts/${n}`, {
        method: 'PUT',
        headers: {
          'content-type': 'application/octet-stream',
          [MODEL_HUB_SHA256_HEADER]: f.parts[n - 1],
        },
        body: fileRangeBody(
          f.absPath,
          start,
          end,
          onBytes,
        ) as unknown as BodyInit,
      });
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(parallel, todo.length) }, worker),
  );
  return (
    await client.json<ModelVersionFile>(`${base}/${status.uploadId}/complete`, {
      method: 'POST',
    })
  ).body;
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
      'files larger than this go up in resumable parts of this size (default 64)',
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
