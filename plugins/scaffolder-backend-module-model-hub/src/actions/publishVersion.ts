import {
  BackstageCredentials,
  LoggerService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { JsonObject } from '@backstage/types';
import {
  GauntletRun,
  ModelGauntletResponse,
  ModelVersion,
  ModelVersionFile,
} from '@internal/plugin-model-hub-common';
import { z as zod } from 'zod';
import { ModelHubClient } from '../client/ModelHubClient';
import {
  ArtifactInput,
  ArtifactSource,
  assertUniquePaths,
  openArtifact,
  planArtifact,
} from './artifacts';
import { sleep, waitForCatalogEntity } from './catalogWait';
import { uploadSpooled } from './spooledUpload';
import { ModelTarget, modelTarget } from './refs';

/** The id of {@link createPublishModelVersionAction}. */
export const PUBLISH_VERSION_ACTION_ID = 'model-hub:publish-version';

/** Step examples of `model-hub:publish-version`, shown in the actions list. */
export const publishVersionExamples = [
  {
    description:
      'Publish a version from files the portal may read, point `latest` at it and wait for the gauntlet',
    example: `steps:
  - id: publish
    name: Publish version
    action: model-hub:publish-version
    input:
      model: model:default/invoice-extractor
      version: 1.2.0
      description: Retrained on the Q3 invoices
      artifacts:
        - https://github.com/acme/invoice-extractor/blob/main/model/model.onnx
        - url: https://github.com/acme/invoice-extractor/blob/main/model/config.json
          path: config/config.json
      evaluationPredictions: https://github.com/acme/invoice-extractor/blob/main/eval/predictions.csv
      aliases:
        - latest
      waitForGauntletSeconds: 120
`,
  },
  {
    description:
      'Publish the files uploaded in the form (rjsf file widget data URLs) without waiting for the gauntlet',
    example: `steps:
  - id: publish
    name: Publish version
    action: model-hub:publish-version
    input:
      model: \${{ parameters.model }}
      version: \${{ parameters.version }}
      artifacts:
        - \${{ parameters.modelFile }}
      waitForGauntletSeconds: 0
`,
  },
];

/** Input schema of `model-hub:publish-version` (zod callbacks, as the scaffolder takes them). */
export const publishVersionInputSchema = {
  model: (z: typeof zod) =>
    z
      .string()
      .describe(
        'The Model to publish to, e.g. model:default/invoice-extractor (kind defaults to Model, namespace to default)',
      ),
  version: (z: typeof zod) =>
    z.string().describe('Semantic version to publish, e.g. 1.2.0'),
  description: (z: typeof zod) =>
    z.string().optional().describe('What changed in this version'),
  artifacts: (z: typeof zod) =>
    z
      .array(
        z.union([
          z.string(),
          z.object({
            url: z.string().describe('URL the portal may read, or a data: URL'),
            path: z
              .string()
              .optional()
              .describe('Path of the file inside the version'),
          }),
        ]),
      )
      .optional()
      .describe(
        'Files of the version: URLs read through the portal (backend.reading.allow applies) or data: URLs from a form upload. The path defaults to the uploaded file name or the last segment of the URL',
      ),
  evaluationPredictions: (z: typeof zod) =>
    z
      .string()
      .optional()
      .describe(
        "URL or data: URL of the evaluation predictions CSV, stored at the model's spec.evaluation.file path",
      ),
  aliases: (z: typeof zod) =>
    z
      .array(z.string())
      .optional()
      .describe('Aliases to point at the version once sealed, e.g. latest'),
  waitForGauntletSeconds: (z: typeof zod) =>
    z
      .number()
      .min(0)
      .max(3600)
      .optional()
      .describe(
        'How long to wait for the compliance gauntlet to finish (default 120; 0 does not wait)',
      ),
};

/** Output schema of `model-hub:publish-version`. */
export const publishVersionOutputSchema = {
  entityRef: (z: typeof zod) =>
    z.string().describe('Entity ref of the model, e.g. model:default/x'),
  version: (z: typeof zod) => z.string().describe('The published version'),
  files: (z: typeof zod) =>
    z
      .array(
        z.object({
          path: z.string(),
          size: z.number(),
          sha256: z.string(),
          scanVerdict: z.string(),
        }),
      )
      .describe('The stored files with their size, SHA-256 and scan verdict'),
  scanVerdict: (z: typeof zod) =>
    z.string().describe('Worst scan verdict over the files'),
  pullCommand: (z: typeof zod) =>
    z.string().describe('CLI command that downloads the version'),
  modelPath: (z: typeof zod) =>
    z.string().describe('Portal path of the model page'),
  versionsPath: (z: typeof zod) =>
    z.string().describe("Portal path of the model's versions tab"),
  gauntletPath: (z: typeof zod) =>
    z.string().describe("Portal path of the model's gauntlet tab"),
  gauntletStatus: (z: typeof zod) =>
    z
      .string()
      .describe(
        'Gauntlet status when the action finished: passed, failed, pending or not-run',
      ),
  effectiveTier: (z: typeof zod) =>
    z.string().describe('Tier the model earned; empty when none'),
  gauntletReason: (z: typeof zod) =>
    z.string().describe('Why the gauntlet decided as it did'),
};

/** Dependencies of {@link createPublishModelVersionAction}. */
export interface PublishModelVersionActionOptions {
  client: ModelHubClient;
  urlReader: UrlReaderService;
  catalog: CatalogService;
  /** How often to poll the gauntlet (and the catalog) while waiting (default 2 s). */
  gauntletPollIntervalMs?: number;
  /** How long to wait for a model just registered with the hub to reach the catalog (default 60 s). */
  catalogWaitMs?: number;
}

const DEFAULT_WAIT_SECONDS = 120;

/**
 * `model-hub:publish-version`: publishes files as a new sealed version of a
 * Model, on behalf of the user running the template: creates the version,
 * streams each artifact to the hub, seals it (which starts the gauntlet),
 * sets aliases and waits for the gauntlet's verdict.
 */
export function createPublishModelVersionAction(
  options: PublishModelVersionActionOptions,
) {
  const { client, urlReader, catalog } = options;
  const pollMs = options.gauntletPollIntervalMs ?? 2000;

  const catalogWaitMs = options.catalogWaitMs ?? 60_000;

  /**
   * Reads the model from the catalog as the user. A model registered with
   * the hub moments ago may not be in the catalog yet: wait for it a while.
   */
  async function findModel(
    target: ModelTarget,
    call: { credentials: BackstageCredentials },
    logger: LoggerService,
  ): Promise<Entity> {
    const found = await catalog.getEntityByRef(target.entityRef, call);
    if (found) return found;
    if (!(await client.getRegisteredModel(target.entityRef, call))) {
      throw new NotFoundError(
        `Model ${target.entityRef} is not in the catalog (or you may not see it); register it first or check the reference`,
      );
    }
    logger.info(
      `${target.entityRef} is registered with the hub; waiting for the catalog to show it`,
    );
    const entity = await waitForCatalogEntity(
      catalog,
      target.entityRef,
      call.credentials,
      { timeoutMs: catalogWaitMs, pollMs },
    );
    if (!entity) {
      throw new NotFoundError(
        `Model ${target.entityRef} is registered with the hub but the catalog does not show it yet; run the template again in a minute`,
      );
    }
    return entity;
  }

  return createTemplateAction({
    id: PUBLISH_VERSION_ACTION_ID,
    description:
      'Publishes files as a new version of a Model in the Model Hub: uploads, scans, seals, sets aliases and waits for the compliance gauntlet',
    examples: publishVersionExamples,
    schema: {
      input: publishVersionInputSchema,
      output: publishVersionOutputSchema,
    },
    async handler(ctx) {
      const target = modelTarget(ctx.input.model);
      const version = String(ctx.input.version ?? '').trim();
      if (!version) {
        throw new InputError('Input version is required, e.g. 1.2.0');
      }
      const artifactInputs = (ctx.input.artifacts ?? []) as ArtifactInput[];
      if (artifactInputs.length === 0) {
        throw new InputError(
          `Nothing to publish: give at least one artifact for version ${version} of ${target.entityRef}`,
        );
      }
      const sources = artifactInputs.map((a, i) =>
        planArtifact(a, `artifacts[${i}]`),
      );
      const credentials = await ctx.getInitiatorCredentials();
      const call = { credentials };

      const entity = await findModel(target, call, ctx.logger);
      if (ctx.input.evaluationPredictions) {
        const evaluationFile = (
          entity.spec as { evaluation?: { file?: string } } | undefined
        )?.evaluation?.file;
        if (!evaluationFile) {
          throw new InputError(
            `${target.entityRef} declares no spec.evaluation.file, so the hub does not know where evaluation predictions go; add it to the model's catalog entry, or publish the predictions as an ordinary artifact`,
          );
        }
        sources.push(
          planArtifact(
            ctx.input.evaluationPredictions,
            'evaluationPredictions',
            evaluationFile,
          ),
        );
      }
      assertUniquePaths(sources);

      // A resumed task (scaffolder recovery) must not publish twice: the
      // sealed version is remembered once it exists.
      const sealed = (await ctx.checkpoint({
        key: `model-hub.publish-version.${target.entityRef}@${version}`,
        fn: async () => {
          const existing = await client.getVersion(
            target.entityRef,
            version,
            call,
          );
          if (existing?.state === 'sealed') {
            throw new InputError(
              `version ${version} of ${target.entityRef} is already published; publish a new version`,
            );
          }
          if (existing) {
            const planned = new Set(sources.map(s => s.path));
            const stale = existing.files.filter(f => !planned.has(f.path));
            if (stale.length > 0) {
              throw new ConflictError(
                `version ${version} of ${
                  target.entityRef
                } is a draft left by an earlier attempt holding files this publish does not replace (${stale
                  .map(f => f.path)
                  .join(
                    ', ',
                  )}); publish them again under the same paths, or publish a new version`,
              );
            }
            ctx.logger.info(
              `Continuing the unsealed draft of version ${version} of ${target.entityRef}`,
            );
          }

          await client.createVersion(
            target.entityRef,
            {
              version,
              description: ctx.input.description?.trim() || undefined,
            },
            call,
          );
          ctx.logger.info(
            `Publishing ${sources.length} file(s) to ${target.entityRef}@${version}`,
          );
          const files: ModelVersionFile[] = [];
          for (const source of sources) {
            files.push(
              await upload(client, urlReader, target, version, source, call),
            );
            const file = files[files.length - 1];
            ctx.logger.info(
              `  ${file.path}: ${file.size} bytes, sha256 ${
                file.sha256
              }, scan ${file.scan.verdict}${file.scan.findings
                .map(f => `; [${f.severity}] ${f.rule}: ${f.message}`)
                .join('')}`,
            );
          }

          const done = await client.sealVersion(
            target.entityRef,
            version,
            call,
          );
          ctx.logger.info(
            `Sealed ${target.entityRef}@${version}: ${done.files.length} file(s), scan verdict ${done.scanVerdict}`,
          );
          return done as unknown as JsonObject;
        },
      })) as unknown as ModelVersion;
      for (const alias of ctx.input.aliases ?? []) {
        await client.setAlias(target.entityRef, alias, version, call);
        ctx.logger.info(`Alias ${alias} now points at ${version}`);
      }

      const gauntlet = await waitForGauntlet({
        client,
        target,
        version,
        credentials,
        seconds: ctx.input.waitForGauntletSeconds ?? DEFAULT_WAIT_SECONDS,
        pollMs,
        logger: ctx.logger,
        signal: ctx.signal,
      });

      ctx.output('entityRef', target.entityRef);
      ctx.output('version', sealed.version);
      ctx.output(
        'files',
        sealed.files.map(f => ({
          path: f.path,
          size: f.size,
          sha256: f.sha256,
          scanVerdict: f.scan.verdict,
        })),
      );
      ctx.output('scanVerdict', sealed.scanVerdict);
      ctx.output(
        'pullCommand',
        `model-hub pull ${target.entityRef}@${sealed.version}`,
      );
      ctx.output('modelPath', target.modelPath);
      ctx.output('versionsPath', `${target.modelPath}/versions`);
      ctx.output('gauntletPath', `${target.modelPath}/gauntlet`);
      ctx.output('gauntletStatus', gauntlet.status);
      ctx.output('effectiveTier', gauntlet.effectiveTier ?? '');
      ctx.output('gauntletReason', gauntlet.reason);
    },
  });
}

/** Uploads one artifact, checking that the hub stored exactly the bytes that were read. */
async function upload(
  client: ModelHubClient,
  urlReader: UrlReaderService,
  target: ModelTarget,
  version: string,
  source: ArtifactSource,
  call: { credentials: BackstageCredentials },
): Promise<ModelVersionFile> {
  const opened = await openArtifact(source, urlReader);
  let file: ModelVersionFile;
  try {
    file = Buffer.isBuffer(opened.body)
      ? await client.uploadFile(
          target.entityRef,
          version,
          source.path,
          opened.body,
          { ...call, sha256: opened.sha256(), size: opened.size() },
        )
      : await uploadSpooled({
          client,
          entityRef: target.entityRef,
          version,
          path: source.path,
          body: opened.body,
          sha256: opened.sha256,
          size: opened.size,
          credentials: call.credentials,
        });
  } catch (e) {
    if (!Buffer.isBuffer(opened.body)) opened.body.destroy();
    const readFailure = opened.sourceError();
    if (readFailure) {
      throw new InputError(
        `Could not read artifact ${source.label}: ${readFailure.message}; version ${version} stays an unsealed draft`,
      );
    }
    throw e;
  }
  if (file.sha256 !== opened.sha256() || file.size !== opened.size()) {
    throw new ConflictError(
      `The hub stored ${source.path} as ${file.size} bytes with sha256 ${
        file.sha256
      }, but ${opened.size()} bytes with sha256 ${opened.sha256()} were read from ${
        source.label
      }`,
    );
  }
  return file;
}

/** Polls the gauntlet until no run of `version` is queued or running, or the time is up. */
async function waitForGauntlet(o: {
  client: ModelHubClient;
  target: ModelTarget;
  version: string;
  credentials: BackstageCredentials;
  seconds: number;
  pollMs: number;
  logger: LoggerService;
  signal?: AbortSignal;
}): Promise<ModelGauntletResponse> {
  const { client, target, version, logger } = o;
  const call = { credentials: o.credentials };
  const deadline = Date.now() + o.seconds * 1000;
  const active = (g: ModelGauntletResponse): GauntletRun[] =>
    g.activeRuns.filter(r => r.version === version);
  let gauntlet = await client.getGauntlet(target.entityRef, call);
  if (o.seconds > 0 && active(gauntlet).length > 0) {
    logger.info(
      `Waiting up to ${o.seconds} s for the gauntlet to check ${target.entityRef}@${version}`,
    );
  }
  while (
    o.seconds > 0 &&
    active(gauntlet).length > 0 &&
    Date.now() < deadline &&
    !o.signal?.aborted
  ) {
    await sleep(Math.min(o.pollMs, Math.max(0, deadline - Date.now())));
    gauntlet = await client.getGauntlet(target.entityRef, call);
  }
  const stillRunning = active(gauntlet);
  if (stillRunning.length > 0) {
    logger.info(
      `The gauntlet is still checking ${target.entityRef}@${version} (${stillRunning.length} run(s)); follow it on the model's gauntlet tab`,
    );
  }
  for (const check of gauntlet.checks.filter(c => c.version === version)) {
    logger.info(
      `  check ${check.checkId} (${check.tier}): ${check.status}: ${check.summary}`,
    );
  }
  if (gauntlet.version && gauntlet.version !== version) {
    logger.info(
      `The model's gauntlet decision is about its latest version ${gauntlet.version}, not ${version}`,
    );
  }
  logger.info(
    `Gauntlet ${gauntlet.status}: effective tier ${
      gauntlet.effectiveTier ?? 'none'
    } (${gauntlet.reason})`,
  );
  return gauntlet;
}
