import { Command } from 'commander';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ModelVersion } from '@internal/plugin-model-hub-common';
// The rule alone: the package index loads @backstage/catalog-model.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { firstPathCollision } from '@internal/plugin-model-hub-common/src/api/fileCollisions';
import { downloadVerified } from '../lib/download';
import { UsageError } from '../lib/errors';
import { prepareOutputFile } from '../lib/outputPaths';
import { PortalClient, PortalError } from '../lib/portal';
import { formatBytes, Progress } from '../lib/progress';
import { parseVersionedModelRef } from '../lib/refs';

/** Options of `model-hub pull`. */
export interface PullOptions {
  output?: string;
  portal?: string;
  parallel?: string;
  allowUnsafe?: boolean;
  json?: boolean;
}

/**
 * Downloads every file of a model version (by version or alias) into a
 * directory, several at a time, verifying each SHA-256 before the file gets
 * its name. An interrupted pull resumes from its `.part` files. A version
 * with a file the hub's scan marked unsafe is refused unless allowed.
 */
export async function pull(ref: string, opts: PullOptions): Promise<number> {
  const { entityRef, selector } = parseVersionedModelRef(ref);
  const parallel = opts.parallel ?? '4';
  if (!/^[1-9]\d{0,2}$/.test(parallel)) {
    throw new UsageError(
      `--parallel takes a positive whole number, got '${parallel}'`,
    );
  }
  const say = (line: string) => {
    if (!opts.json) console.log(line);
  };
  const client = PortalClient.fromOptions(opts);
  const { body: version } = await client.json<ModelVersion>(
    client.paths.version(entityRef, selector ?? 'latest'),
  );
  if (version.state !== 'sealed') {
    throw new PortalError(`${entityRef}@${version.version} is not sealed yet`);
  }
  const unsafe = version.files.find(f => f.scan.verdict === 'unsafe');
  if (unsafe && !opts.allowUnsafe) {
    throw new PortalError(
      `refusing to pull ${entityRef}@${
        version.version
      }: the hub's scan marked ${unsafe.path} unsafe (${
        unsafe.scan.findings[0]?.rule ?? 'see the model page'
      }); pass --allow-unsafe to download it anyway, never load it`,
    );
  }
  // Two entries that are one file on this disk would be written by two
  // downloads at once, each verifying only its own bytes.
  const clash = firstPathCollision(version.files.map(f => f.path));
  if (clash) {
    throw new PortalError(
      `refusing to pull ${entityRef}@${
        version.version
      }: the hub lists ${JSON.stringify(clash[0])} and ${JSON.stringify(
        clash[1],
      )}, which are the same file on disk (case, Unicode form, or a file where a directory goes); report it to the hub's operators`,
    );
  }
  const name = entityRef.split('/').pop()!;
  const outDir = path.resolve(opts.output ?? `${name}-${version.version}`);
  await fs.mkdir(outDir, { recursive: true });
  if (version.scanVerdict !== 'safe') {
    process.stderr.write(
      `warning: the hub's scan verdict for ${entityRef}@${version.version} is '${version.scanVerdict}'\n`,
    );
  }
  say(`pulling ${entityRef}@${version.version} into ${outDir}`);
  const total = version.files.reduce((n, f) => n + f.size, 0);
  const progress = new Progress('downloading', total, { enabled: !opts.json });
  const queue = [...version.files];
  const results: Array<{
    path: string;
    size: number;
    sha256: string;
    resumedFrom: number;
  }> = [];
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const target = await prepareOutputFile(outDir, file.path);
      const { resumedFrom } = await downloadVerified(
        client,
        client.paths.file(entityRef, version.version, file.path),
        file,
        target,
        n => progress.add(n),
      );
      results.push({
        path: file.path,
        size: file.size,
        sha256: file.sha256,
        resumedFrom,
      });
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(Number(parallel), queue.length) }, worker),
  );
  progress.done();
  for (const r of results.sort((a, b) => a.path.localeCompare(b.path))) {
    say(
      `  ${r.path}  ${formatBytes(r.size)}  sha256 verified${
        r.resumedFrom > 0 ? ` (resumed at ${formatBytes(r.resumedFrom)})` : ''
      }`,
    );
  }
  say(`done: ${version.files.length} file(s) verified`);
  if (opts.json) {
    console.log(
      JSON.stringify({
        entityRef,
        version: version.version,
        directory: outDir,
        files: results,
      }),
    );
  }
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
    .option('--parallel <n>', 'files downloaded at the same time (default 4)')
    .option(
      '--allow-unsafe',
      "download even when the hub's scan marked a file unsafe",
    )
    .option('--json', 'print one JSON summary instead of progress and text')
    .option(
      '--portal <url>',
      'portal back-end URL (default $MODEL_HUB_PORTAL_URL or http://localhost:7007)',
    )
    .action(async (ref: string, opts: PullOptions) => {
      if (!ref) throw new UsageError('pull needs a model reference');
      process.exitCode = await pull(ref, opts);
    });
}
