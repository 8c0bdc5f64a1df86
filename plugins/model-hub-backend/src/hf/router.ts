import {
  AuthService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import express, { Request, Response } from 'express';
import Router from 'express-promise-router';
import { sendFile } from '../service/sendFile';
import { actorRef } from '../service/requests';
import { ModelVersionService } from '../versions/ModelVersionService';
import { HfConfig } from './config';
import { HfDownloadRecorder, noopDownloadRecorder } from './downloads';
import { hfErrorHandler, HfNotFoundError } from './errors';
import { encodeCursor, listModelsPage, parseListQuery } from './listing';
import { HfRepo, HfRepoMapping } from './mapping';
import { resolveRevision, ResolvedRevision } from './revisions';
import {
  directoryEntry,
  fileEntry,
  modelInfo,
  treeEntries,
  TreeEntry,
} from './serializers';

/** Where the Hugging Face endpoints live below the plugin (`hubUrl` = base + this). */
export const HF_BASE_PATH = '/hf';

/** Dependencies of {@link createHfRouter}. */
export interface HfRouterOptions {
  logger: LoggerService;
  httpAuth: HttpAuthService;
  auth: AuthService;
  catalog: CatalogService;
  versions: ModelVersionService;
  config: HfConfig;
  /** Records each completed download as a pull (default: records nothing). */
  onDownload?: HfDownloadRecorder;
}

const REPO = `${HF_BASE_PATH}/api/models/:namespace/:name`;

/**
 * The Hugging Face Hub protocol over the hub's sealed versions (mounted at
 * `/api/model-hub/hf`): model info, file trees, `paths-info`, file
 * downloads (`resolve`) and the model list, so `huggingface_hub`,
 * `transformers`, `@huggingface/hub` and `transformers.js` pull from the
 * hub with only their endpoint changed. Read-only; the catalog's
 * visibility and the unsafe-verdict gate apply to every route.
 */
export async function createHfRouter(
  options: HfRouterOptions,
): Promise<express.Router> {
  const { httpAuth, versions, config, logger } = options;
  const onDownload = options.onDownload ?? noopDownloadRecorder;
  const mapping = new HfRepoMapping({
    catalog: options.catalog,
    auth: options.auth,
    mode: config.namespace,
  });
  const router = Router();
  // paths-info comes as JSON (@huggingface/hub) or as a form (huggingface_hub).
  const body = [
    express.json({ limit: '1mb' }),
    express.urlencoded({ extended: false, limit: '1mb' }),
  ];

  const credentialsOf = (req: Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });

  /** The repo and sealed revision a request names, after the gates. */
  async function revisionOf(
    req: Request,
    credentials: BackstageCredentials,
    revision: string,
  ): Promise<{ repo: HfRepo; resolved: ResolvedRevision; createdAt: string }> {
    const repo = await mapping.find(
      req.params.namespace,
      req.params.name,
      credentials,
    );
    const all = await versions.listVersions(repo.entityRef);
    const resolved = resolveRevision(all, revision, repo.id);
    const { version } = resolved;
    if (version.scanVerdict === 'unsafe' && !config.allowUnsafe) {
      const unsafe = version.files.find(f => f.scan.verdict === 'unsafe');
      throw new NotAllowedError(
        `Version ${version.version} of ${
          repo.id
        } is blocked: the security scan found unsafe content${
          unsafe ? ` in ${unsafe.path}` : ''
        }; ask its owners for a fixed version (or an admin to set modelHub.hf.allowUnsafe)`,
      );
    }
    const createdAt = all
      .filter(v => v.state === 'sealed')
      .map(v => v.createdAt)
      .reduce((a, b) => (a < b ? a : b));
    return { repo, resolved, createdAt };
  }

  router.get(`${HF_BASE_PATH}/api/models`, async (req, res) => {
    const credentials = await credentialsOf(req);
    const query = parseListQuery(req.query as Record<string, string>);
    const repos = await mapping.list(credentials);
    // One batched read for the whole list, not one per model (issue #18).
    const sealed = await versions.sealedVersionsOf(repos.map(r => r.entityRef));
    const withVersions = repos.map(repo => ({
      repo,
      versions: sealed.get(repo.entityRef) ?? [],
    }));
    const page = listModelsPage(withVersions, query);
    if (page.next !== undefined) {
      const url = new URL(absoluteUrl(req));
      url.searchParams.set('cursor', encodeCursor(page.next));
      res.setHeader('Link', `<${url.href}>; rel="next"`);
    }
    res.json(page.items);
  });

  const info = async (req: Request, res: Response, revision: string) => {
    const credentials = await credentialsOf(req);
    const { repo, resolved, createdAt } = await revisionOf(
      req,
      credentials,
      revision,
    );
    res.json(modelInfo(repo, resolved, createdAt));
  };
  router.get(REPO, (req, res) => info(req, res, 'main'));
  router.get(`${REPO}/revision/:revision`, (req, res) =>
    info(req, res, req.params.revision),
  );

  const tree = async (req: Request, res: Response) => {
    const credentials = await credentialsOf(req);
    const { repo, resolved } = await revisionOf(
      req,
      credentials,
      req.params.revision,
    );
    const dir = trimSlashes(wildcard(req));
    const entries = treeEntries(resolved.version, resolved, dir, {
      recursive: flag(req.query.recursive),
      expand: flag(req.query.expand),
    });
    if (!entries) {
      throw new HfNotFoundError(
        'EntryNotFound',
        `${repo.id}@${resolved.version.version} has no directory '${dir}'`,
      );
    }
    res.json(entries);
  };
  router.get(`${REPO}/tree/:revision`, tree);
  router.get(`${REPO}/tree/:revision/*`, tree);

  router.post(`${REPO}/paths-info/:revision`, ...body, async (req, res) => {
    const credentials = await credentialsOf(req);
    const { resolved } = await revisionOf(
      req,
      credentials,
      req.params.revision,
    );
    const paths = ([] as unknown[]).concat(req.body?.paths ?? []);
    if (!paths.every((p): p is string => typeof p === 'string')) {
      throw new InputError('paths must be a list of file paths');
    }
    const expand = flag(req.body?.expand);
    const { files } = resolved.version;
    const entries: TreeEntry[] = [];
    for (const p of new Set(paths.map(trimSlashes))) {
      const file = files.find(f => f.path === p);
      if (file) {
        entries.push(fileEntry(file, resolved, expand));
      } else if (p !== '' && files.some(f => f.path.startsWith(`${p}/`))) {
        entries.push(directoryEntry(p, files, resolved, expand));
      }
    }
    res.json(entries);
  });

  router.get(
    `${HF_BASE_PATH}/:namespace/:name/resolve/:revision/*`,
    async (req, res) => {
      const credentials = await credentialsOf(req);
      const { repo, resolved } = await revisionOf(
        req,
        credentials,
        req.params.revision,
      );
      const path = wildcard(req);
      const file = resolved.version.files.find(f => f.path === path);
      if (!file) {
        throw new HfNotFoundError(
          'EntryNotFound',
          `${repo.id}@${resolved.version.version} has no file '${path}'`,
        );
      }
      res.setHeader('X-Repo-Commit', resolved.sha);
      res.setHeader('X-Linked-Etag', `"${file.sha256}"`);
      res.setHeader('X-Linked-Size', String(file.size));
      await sendFile(req, res, file, versions);
      if (req.method !== 'GET' || res.statusCode >= 300) return;
      await onDownload({
        entityRef: repo.entityRef,
        version: resolved.version.version,
        revision: req.params.revision,
        path,
        sha256: file.sha256,
        size: file.size,
        actor: actorRef(credentials),
        partial: res.statusCode === 206,
        credentials,
        headers: req.headers,
      }).catch(e =>
        logger.warn(
          `Could not record the download of ${repo.id}/${path}: ${e}`,
        ),
      );
    },
  );

  router.use(HF_BASE_PATH, hfErrorHandler(logger));
  return router;
}

function wildcard(req: Request): string {
  return (req.params as Record<string, string>)[0] ?? '';
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}

function flag(value: unknown): boolean {
  return (
    value === true || value === 'true' || value === '1' || value === 'True'
  );
}

/** The URL the client called, with the host it used (for `Link` headers). */
function absoluteUrl(req: Request): string {
  return `${req.protocol}://${req.get('host')}${req.originalUrl}`;
}
