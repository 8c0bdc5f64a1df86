import { Command } from 'commander';
import { createHash } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ModelVersion } from '@internal/plugin-model-hub-common';
import { PortalClient, PortalError } from '../lib/portal';
import { formatBytes, Progress } from '../lib/progress';
import { parseVersionedModelRef } from '../lib/refs';
import { UsageError } from '../lib/errors';

/** Options of `model-hub pull`. */
export interface PullOptions {
  output?: string;
  portal?: string;
}

/**
 * Downloads every file of a model version (by version or alias) into a
 * directory, verifying each SHA-256 against the version's manifest. A file
 * whose hash does not match is deleted and the command fails.
 */
export async function pull(ref: string, opts: PullOptions): Promise<number> {
  const { entityRef, selector } = parseVersionedModelRef(ref);
  const client = PortalClient.fromOptions(opts);
  const { body: version } = await client.json<ModelVersion>(
    client.paths.version(entityRef, selector ?? 'latest'),
  );
  if (version.state !== 'sealed') {
    throw new PortalError(`${entityRef}@${version.version} is not sealed yet`);
  }
  const name = entityRef.split('/').pop()!;
  const outDir = path.resolve(opts.output ?? `${name}-${version.version}`);
  await fs.mkdir(outDir, { recursive: true });
  if (version.scanVerdict !== 'safe') {
    console.error(
      `warning: the hub's scan verdict for ${entityRef}@${version.version} is '${version.scanVerdict}'`,
    );
  }
  console.log(`pulling ${entityRef}@${version.version} into ${outDir}`);
  for (const file of version.files) {
    const target = path.resolve(outDir, ...file.path.split('/'));
    if (!target.startsWith(outDir + path.sep)) {
      throw new PortalError(`refusing to write ${file.path} outside ${outDir}`);
    }
    await fs.mkdir(path.dirname(target), { recursive: true });
    const partial = `${target}.part`;
    const res = await client.request(
      client.paths.file(entityRef, version.version, file.path),
    );
    const etag = res.headers.get('etag')?.replace(/"/g, '');
    const progress = new Progress(`downloading ${file.path}`, file.size);
    const hash = createHash('sha256');
    let received = 0;
    const meter = new Transform({
      transform(chunk, _enc, cb) {
        hash.update(chunk);
        received += chunk.length;
        progress.update(received);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(
        Readable.fromWeb(res.body as any),
        meter,
        createWriteStream(partial),
      );
    } catch (e) {
      await fs.rm(partial, { force: true });
      throw new PortalError(
        `download of ${file.path} failed: ${(e as Error).message}`,
      );
    }
    progress.done();
    const actual = hash.digest('hex');
    if (
      actual !== file.sha256 ||
      received !== file.size ||
      (etag && etag !== file.sha256)
    ) {
      await fs.rm(partial, { force: true });
      throw new PortalError(
        `INTEGRITY FAILURE for ${file.path}: expected sha256 ${file.sha256} (${file.size} bytes), ` +
          `received sha256 ${actual} (${received} bytes)${
            etag ? `, ETag ${etag}` : ''
          }; the file was deleted`,
      );
    }
    await fs.rename(partial, target);
    console.log(`  ${file.path}  ${formatBytes(file.size)}  sha256 verified`);
  }
  console.log(`done: ${version.files.length} file(s) verified`);
  return 0;
}

/** Registers `model-hub pull`. */
export function register(program: Command): void {
  program
    .command('pull')
    .description("Download a model version and verify every file's SHA-256")
    .argument(
      '<ref>',
      'model:default/NAME@VERSION or @ALIAS (default alias: latest)',
    )
    .option('-o, --output <dir>', 'target directory (default ./NAME-VERSION)')
    .option(
      '--portal <url>',
      'portal back-end URL (default $MODEL_HUB_PORTAL_URL or http://localhost:7007)',
    )
    .action(async (ref: string, opts: PullOptions) => {
      if (!ref) throw new UsageError('pull needs a model reference');
      process.exitCode = await pull(ref, opts);
    });
}
