import { Command } from 'commander';
import { createReadStream, promises as fs } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import {
  CreateModelVersionRequest,
  MODEL_HUB_SHA256_HEADER,
  ModelVersion,
  ModelVersionFile,
} from '@internal/plugin-model-hub-common';
import { PortalClient, PortalError } from '../lib/portal';
import { listFiles, sha256File } from '../lib/files';
import { verifySealedManifest } from '../lib/manifest';
import { formatBytes, Progress } from '../lib/progress';
import { parseVersionedModelRef } from '../lib/refs';
import { UsageError } from '../lib/errors';

/** Options of `model-hub publish`. */
export interface PublishOptions {
  model: string;
  version: string;
  portal?: string;
  alias?: string[];
  description?: string;
}

/**
 * Publishes every file under `dir` as a new version of a model: creates the
 * version, streams each file up with its SHA-256 declared, seals it, and
 * prints the scan verdicts. Re-publishing identical content is a no-op.
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
  const stat = await fs.stat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw new UsageError(`${dir} is not a directory`);
  }
  const files = await listFiles(dir);
  if (files.length === 0) {
    throw new UsageError(`${dir} contains no files to publish`);
  }
  const client = PortalClient.fromOptions(opts);

  const manifest: Array<{
    path: string;
    sha256: string;
    size: number;
    absPath: string;
  }> = [];
  for (const f of files) {
    const progress = new Progress(`hashing ${f.relPath}`, f.size);
    const sha256 = await sha256File(f.absPath, d => progress.update(d));
    progress.done();
    manifest.push({
      path: f.relPath,
      sha256,
      size: f.size,
      absPath: f.absPath,
    });
  }

  const body: CreateModelVersionRequest = {
    version: opts.version,
    description: opts.description,
    files: manifest.map(({ path, sha256, size }) => ({ path, sha256, size })),
  };
  const created = await client.json<ModelVersion>(
    client.paths.versions(entityRef),
    {
      method: 'POST',
      body,
    },
  );
  if (created.status === 200 && created.body.state === 'sealed') {
    console.log(
      `${entityRef}@${opts.version} is already published with identical content; nothing to do.`,
    );
    await setAliases(client, entityRef, opts);
    return 0;
  }

  console.log(
    `publishing ${manifest.length} file(s) to ${entityRef}@${opts.version}`,
  );
  for (const f of manifest) {
    const progress = new Progress(`uploading ${f.path}`, f.size);
    let sent = 0;
    const counter = new Transform({
      transform(chunk, _enc, cb) {
        sent += chunk.length;
        progress.update(sent);
        cb(null, chunk);
      },
    });
    const stream = createReadStream(f.absPath, {
      highWaterMark: 4 * 1024 * 1024,
    }).pipe(counter);
    const res = await client.request(
      client.paths.file(entityRef, opts.version, f.path),
      {
        method: 'PUT',
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(f.size),
          [MODEL_HUB_SHA256_HEADER]: f.sha256,
        },
        body: Readable.toWeb(stream) as unknown as BodyInit,
      },
    );
    progress.done();
    const uploaded = (await res.json()) as ModelVersionFile;
    if (uploaded.sha256 !== f.sha256) {
      throw new PortalError(
        `the portal stored ${f.path} with SHA-256 ${uploaded.sha256}, expected ${f.sha256}`,
      );
    }
    console.log(
      `  ${f.path}  ${formatBytes(f.size)}  sha256:${f.sha256.slice(
        0,
        12,
      )}…  scan: ${uploaded.scan.verdict}`,
    );
    for (const finding of uploaded.scan.findings) {
      console.log(
        `    [${finding.severity}] ${finding.rule}: ${finding.message}`,
      );
    }
  }

  const sealed = await client.json<ModelVersion>(
    client.paths.seal(entityRef, opts.version),
    {
      method: 'POST',
      body: {},
    },
  );
  verifySealedManifest(manifest, sealed.body);
  console.log(
    `sealed ${entityRef}@${sealed.body.version}: ${sealed.body.files.length} file(s), scan verdict ${sealed.body.scanVerdict}`,
  );
  await setAliases(client, entityRef, opts);
  console.log(`pull it with: model-hub pull ${entityRef}@${opts.version}`);
  return 0;
}

async function setAliases(
  client: PortalClient,
  entityRef: string,
  opts: PublishOptions,
) {
  for (const alias of opts.alias ?? []) {
    await client.json(client.paths.alias(entityRef, alias), {
      method: 'PUT',
      body: { version: opts.version },
    });
    console.log(`alias ${alias} -> ${opts.version}`);
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
      '--portal <url>',
      'portal back-end URL (default $MODEL_HUB_PORTAL_URL or http://localhost:7007)',
    )
    .action(async (dir: string, opts: PublishOptions) => {
      process.exitCode = await publish(dir, opts);
    });
}
