import { createHash } from 'node:crypto';
import {
  ModelVersion,
  ModelVersionFile,
} from '@internal/plugin-model-hub-common';
import { HfRepo } from './mapping';
import { ResolvedRevision } from './revisions';

/**
 * JSON of the Hugging Face Hub API, as `@huggingface/hub` and
 * `huggingface_hub` read it.
 *
 * Every file is described as a Git LFS object: the hub stores files by
 * SHA-256, as LFS does, so `lfs.oid` is the SHA-256 and `oid` is the git
 * blob id of the file's LFS pointer (as on huggingface.co for LFS files).
 * This needs no read of the content (a git blob id of the content would),
 * and clients key their caches on the SHA-256, which they can verify.
 */

/** The Git LFS pointer file of a stored file. */
export function lfsPointer(file: Pick<ModelVersionFile, 'sha256' | 'size'>) {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${file.sha256}\nsize ${file.size}\n`;
}

/** The git blob id (SHA-1 of `blob <len>\0<bytes>`) of some bytes. */
export function gitBlobId(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  return createHash('sha1')
    .update(`blob ${bytes.length}\0`)
    .update(bytes)
    .digest('hex');
}

/** The 24-hex `_id` of a repo (stable, derived from its entity ref). */
export function repoObjectId(repo: HfRepo): string {
  return createHash('sha1').update(repo.entityRef).digest('hex').slice(0, 24);
}

/** The model card fields of the birth certificate, as `cardData`. */
export function cardDataOf(repo: HfRepo): Record<string, unknown> {
  const spec = repo.entity.spec;
  const card: Record<string, unknown> = {
    license: spec.license,
    pipeline_tag: spec.task,
    tags: repo.entity.metadata.tags ?? [],
  };
  if (spec.framework) card.library_name = spec.framework;
  if (spec.baseModel) card.base_model = spec.baseModel.ref;
  if (spec.trainingData?.length) card.datasets = spec.trainingData;
  if (spec.metrics?.length) {
    card['model-index'] = [
      {
        name: repo.id,
        results: spec.metrics.map(m => ({
          task: { type: spec.task },
          dataset: { name: m.dataset, type: m.dataset },
          metrics: [{ type: m.name, value: m.value }],
        })),
      },
    ];
  }
  for (const [key, value] of Object.entries({
    intended_use: spec.intendedUse,
    out_of_scope_use: spec.outOfScopeUse,
    limitations: spec.limitations,
    lifecycle: spec.lifecycle,
    tier: spec.tier,
    owner: spec.owner,
    steward: spec.steward,
  })) {
    if (value !== undefined) card[key] = value;
  }
  return card;
}

/** The repo's `tags`: entity tags, framework, task and license. */
function tagsOf(repo: HfRepo): string[] {
  const spec = repo.entity.spec;
  const tags = [
    ...(repo.entity.metadata.tags ?? []),
    spec.framework,
    spec.task,
    spec.license ? `license:${spec.license.toLocaleLowerCase('en-US')}` : '',
  ];
  return [...new Set(tags.filter((t): t is string => !!t))];
}

/** The summary of a repo in `GET /api/models` lists. */
export function modelSummary(
  repo: HfRepo,
  main: ResolvedRevision,
  createdAt: string,
): Record<string, unknown> {
  const spec = repo.entity.spec;
  return {
    _id: repoObjectId(repo),
    id: repo.id,
    modelId: repo.id,
    author: repo.namespace,
    sha: main.sha,
    private: true,
    gated: false,
    disabled: false,
    downloads: 0,
    likes: 0,
    pipeline_tag: spec.task,
    library_name: spec.framework,
    tags: tagsOf(repo),
    createdAt,
    lastModified: main.version.sealedAt ?? main.version.createdAt,
  };
}

/** `GET /api/models/{repo}[/revision/{rev}]`: the repo at one revision. */
export function modelInfo(
  repo: HfRepo,
  revision: ResolvedRevision,
  createdAt: string,
): Record<string, unknown> {
  const files = [...revision.version.files].sort(byPath);
  return {
    ...modelSummary(repo, revision, createdAt),
    lastModified: revision.version.sealedAt ?? revision.version.createdAt,
    cardData: cardDataOf(repo),
    siblings: files.map(f => ({ rfilename: f.path })),
    spaces: [],
    usedStorage: files.reduce((sum, f) => sum + f.size, 0),
    // The hub's own words for the version behind the revision.
    modelHub: {
      entityRef: repo.entityRef,
      version: revision.version.version,
      aliases: revision.version.aliases,
      scanVerdict: revision.version.scanVerdict,
    },
  };
}

/** One entry of a tree listing or of `paths-info`. */
export type TreeEntry = Record<string, unknown>;

/** A file as a tree entry (LFS, see above); `expand` adds the last commit. */
export function fileEntry(
  file: ModelVersionFile,
  revision: ResolvedRevision,
  expand: boolean,
): TreeEntry {
  const pointer = lfsPointer(file);
  return {
    type: 'file',
    oid: gitBlobId(pointer),
    size: file.size,
    lfs: {
      oid: file.sha256,
      size: file.size,
      pointerSize: Buffer.byteLength(pointer),
    },
    path: file.path,
    ...(expand ? expanded(revision) : {}),
  };
}

/** A directory as a tree entry; its oid hashes what it holds. */
export function directoryEntry(
  dir: string,
  files: readonly ModelVersionFile[],
  revision: ResolvedRevision,
  expand: boolean,
): TreeEntry {
  const inside = files
    .filter(f => f.path.startsWith(`${dir}/`))
    .sort(byPath)
    .map(f => `${f.path}\0${f.sha256}`)
    .join('\n');
  return {
    type: 'directory',
    oid: createHash('sha1').update(`tree ${dir}\n${inside}`).digest('hex'),
    size: 0,
    path: dir,
    ...(expand ? expanded(revision) : {}),
  };
}

function expanded(revision: ResolvedRevision): TreeEntry {
  const { version } = revision;
  return {
    lastCommit: {
      id: revision.sha,
      title: `Version ${version.version}`,
      date: version.sealedAt ?? version.createdAt,
    },
  };
}

/**
 * The entries of `tree/{rev}/{dir}`: the files and directories directly in
 * `dir` (or every file below it when `recursive`, with the directories too),
 * directories first, each group by path.
 * @returns undefined when `dir` is neither the root nor a directory
 */
export function treeEntries(
  version: ModelVersion,
  revision: ResolvedRevision,
  dir: string,
  options: { recursive: boolean; expand: boolean },
): TreeEntry[] | undefined {
  const prefix = dir === '' ? '' : `${dir}/`;
  const below = version.files.filter(f => f.path.startsWith(prefix));
  if (dir !== '' && below.length === 0) return undefined;
  const dirs = new Set<string>();
  const files: ModelVersionFile[] = [];
  for (const file of below) {
    const rest = file.path.slice(prefix.length).split('/');
    if (rest.length === 1) {
      files.push(file);
      continue;
    }
    const limit = options.recursive ? rest.length - 1 : 1;
    for (let i = 1; i <= limit; i++) {
      dirs.add(prefix + rest.slice(0, i).join('/'));
    }
    if (options.recursive) files.push(file);
  }
  return [
    ...[...dirs]
      .sort()
      .map(d => directoryEntry(d, version.files, revision, options.expand)),
    ...files.sort(byPath).map(f => fileEntry(f, revision, options.expand)),
  ];
}

function byPath(a: { path: string }, b: { path: string }): number {
  if (a.path === b.path) return 0;
  return a.path < b.path ? -1 : 1;
}
