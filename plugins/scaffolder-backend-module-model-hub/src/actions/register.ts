import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  MODEL_API_VERSION,
  MODEL_DERIVATIONS,
  MODEL_KIND,
  MODEL_TIERS,
  ModelDerivation,
  ModelEntityV1alpha1,
  ModelLifecycle,
  ModelTask,
  ModelTier,
  RegisterModelResponse,
  validateModelEntity,
} from '@internal/plugin-model-hub-common';
import { JsonObject } from '@backstage/types';
import { z as zod } from 'zod';
import { ModelHubClient } from '../client/ModelHubClient';
import { waitForCatalogEntity } from './catalogWait';
import { catalogModelPath } from './refs';

/** The id of {@link createRegisterModelAction}. */
export const REGISTER_ACTION_ID = 'model-hub:register';

/** Step examples of `model-hub:register`. */
export const registerExamples = [
  {
    description:
      'Register a fine-tuned classifier owned by a team, with its steward, license and training data',
    example: `steps:
  - id: register
    name: Register model
    action: model-hub:register
    input:
      name: invoice-extractor
      title: Invoice extractor
      description: Extracts totals and due dates from supplier invoices
      tags:
        - finance
        - documents
      owner: group:default/finance-ml
      steward: user:default/alice
      type: classifier
      task: token-classification
      framework: transformers
      license: Apache-2.0
      lifecycle: experimental
      tier: community
      system: system:default/accounts-payable
      baseModel: model:default/layoutlm-base
      baseModelRelation: fine-tune
      trainingData:
        - resource:default/supplier-invoices
      intendedUse: Pre-filling invoice fields for review by accounts payable
      outOfScopeUse: Approving payments without a human review
      limitations: Trained on German and English invoices only
`,
  },
];

/** Input schema of `model-hub:register`. */
export const registerInputSchema = {
  name: (z: typeof zod) =>
    z.string().describe('metadata.name of the model, e.g. invoice-extractor'),
  namespace: (z: typeof zod) =>
    z.string().optional().describe('Catalog namespace (default: default)'),
  title: (z: typeof zod) =>
    z.string().optional().describe('Display title of the model'),
  description: (z: typeof zod) =>
    z.string().describe('What the model does, in a sentence or two'),
  tags: (z: typeof zod) =>
    z.array(z.string()).optional().describe('Catalog tags'),
  owner: (z: typeof zod) =>
    z
      .string()
      .describe(
        'The owning Group, e.g. group:default/finance-ml; you must be a member',
      ),
  steward: (z: typeof zod) =>
    z.string().describe('The accountable User, e.g. user:default/alice'),
  type: (z: typeof zod) =>
    z
      .string()
      .describe('Broad family of the model, e.g. llm, classifier, embedding'),
  task: (z: typeof zod) =>
    z
      .string()
      .describe(
        'Hugging Face pipeline tag, e.g. text-classification, text-generation',
      ),
  framework: (z: typeof zod) =>
    z
      .string()
      .optional()
      .describe('e.g. pytorch, transformers, onnx, sklearn, gguf'),
  license: (z: typeof zod) =>
    z
      .string()
      .describe(
        'SPDX license expression, e.g. Apache-2.0 or MIT OR Apache-2.0; custom terms as LicenseRef-…',
      ),
  lifecycle: (z: typeof zod) =>
    z
      .enum(['experimental', 'production'])
      .optional()
      .describe('Lifecycle stage (default experimental)'),
  tier: (z: typeof zod) =>
    z
      .enum(MODEL_TIERS)
      .optional()
      .describe(
        'Requested tier (default community); the gauntlet decides what is earned',
      ),
  system: (z: typeof zod) =>
    z
      .string()
      .optional()
      .describe('The System the model belongs to, e.g. system:default/x'),
  baseModel: (z: typeof zod) =>
    z
      .string()
      .optional()
      .describe('The Model this one was derived from, e.g. model:default/x'),
  baseModelRelation: (z: typeof zod) =>
    z
      .enum(MODEL_DERIVATIONS)
      .optional()
      .describe('How it was derived from the base model (default fine-tune)'),
  trainingData: (z: typeof zod) =>
    z
      .array(z.string())
      .optional()
      .describe('Dataset Resources it was trained on, e.g. resource:default/x'),
  intendedUse: (z: typeof zod) =>
    z.string().optional().describe('What the model is meant to be used for'),
  outOfScopeUse: (z: typeof zod) =>
    z.string().optional().describe('Uses the model is not suitable for'),
  limitations: (z: typeof zod) =>
    z.string().optional().describe('Known limitations and biases'),
};

/** Output schema of `model-hub:register`. */
export const registerOutputSchema = {
  entityRef: (z: typeof zod) =>
    z.string().describe('Entity ref of the model, e.g. model:default/x'),
  created: (z: typeof zod) =>
    z
      .boolean()
      .describe(
        'True when the model was newly registered; false when an existing registration was updated, or in a dry run',
      ),
  catalogPath: (z: typeof zod) =>
    z.string().describe('Portal path of the model page'),
  entity: (z: typeof zod) =>
    z
      .record(z.unknown())
      .describe('The Model entity as registered (or as it would be)'),
};

/** Dependencies of {@link createRegisterModelAction}. */
export interface RegisterModelActionOptions {
  client: ModelHubClient;
  /**
   * When given, a newly registered model is awaited in the catalog (as the
   * user) so the template's "open in catalog" link works when clicked.
   */
  catalog?: CatalogService;
  /** How long to wait for the catalog to show a new model (default 60 s). */
  catalogWaitMs?: number;
  /** How often to look (default 1 s). */
  catalogPollMs?: number;
}

/** The inputs of `model-hub:register` as the handler receives them. */
export type RegisterModelInput = {
  [K in keyof typeof registerInputSchema]: zod.infer<
    ReturnType<(typeof registerInputSchema)[K]>
  >;
};

const trimmed = (value: string | undefined) => value?.trim() || undefined;

/** Builds the Model entity ("birth certificate") the inputs describe. */
export function buildModelEntity(
  input: RegisterModelInput,
): ModelEntityV1alpha1 {
  const baseModel = trimmed(input.baseModel);
  const trainingData = (input.trainingData ?? [])
    .map(d => d.trim())
    .filter(Boolean);
  const tags = (input.tags ?? []).map(t => t.trim()).filter(Boolean);
  const spec: ModelEntityV1alpha1['spec'] = {
    type: String(input.type ?? '').trim(),
    task: String(input.task ?? '').trim() as ModelTask,
    owner: String(input.owner ?? '').trim(),
    steward: String(input.steward ?? '').trim(),
    lifecycle: (input.lifecycle ?? 'experimental') as ModelLifecycle,
    tier: (input.tier ?? 'community') as ModelTier,
    license: String(input.license ?? '').trim(),
  };
  const optional = {
    framework: trimmed(input.framework),
    system: trimmed(input.system),
    baseModel: baseModel && {
      ref: baseModel,
      relation: (input.baseModelRelation ?? 'fine-tune') as ModelDerivation,
    },
    trainingData: trainingData.length > 0 ? trainingData : undefined,
    intendedUse: trimmed(input.intendedUse),
    outOfScopeUse: trimmed(input.outOfScopeUse),
    limitations: trimmed(input.limitations),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (spec as Record<string, unknown>)[key] = value;
  }
  const metadata: ModelEntityV1alpha1['metadata'] = {
    name: String(input.name ?? '').trim(),
    namespace: trimmed(input.namespace) ?? 'default',
    description: String(input.description ?? '').trim(),
  };
  if (trimmed(input.title)) metadata.title = trimmed(input.title);
  if (tags.length > 0) metadata.tags = tags;
  return { apiVersion: MODEL_API_VERSION, kind: MODEL_KIND, metadata, spec };
}

/**
 * Validates the entity locally with the Model kind's validator, so a bad
 * SPDX expression or ref fails before the hub is called; an InputError lists
 * each problem.
 */
export function assertValidModelEntity(entity: ModelEntityV1alpha1): void {
  const problems: string[] = [];
  if (!entity.metadata.description) {
    problems.push('description is required');
  }
  if (!entity.spec.steward) problems.push('steward is required');
  const result = validateModelEntity(entity);
  problems.push(...result.errors);
  if (problems.length > 0) {
    throw new InputError(
      `Invalid model ${entity.metadata.namespace}/${
        entity.metadata.name
      }:\n${problems.map(p => `- ${p}`).join('\n')}`,
    );
  }
}

/**
 * `model-hub:register`: registers a Model with the hub (its birth
 * certificate), on behalf of the user running the template, who must be a
 * member of the owning group. The hub serves it to the catalog.
 */
export function createRegisterModelAction(options: RegisterModelActionOptions) {
  const { client, catalog } = options;
  const catalogWaitMs = options.catalogWaitMs ?? 60_000;
  const catalogPollMs = options.catalogPollMs ?? 1000;

  /** Waits (bounded) until the catalog shows the model; never fails the step. */
  async function awaitCatalog(
    entityRef: string,
    credentials: BackstageCredentials,
    logger: LoggerService,
  ) {
    if (!catalog) return;
    const entity = await waitForCatalogEntity(catalog, entityRef, credentials, {
      timeoutMs: catalogWaitMs,
      pollMs: catalogPollMs,
    });
    if (entity) {
      logger.info(`The catalog shows ${entityRef}`);
      return;
    }
    logger.warn(
      `${entityRef} is registered, but the catalog does not show it yet after ${Math.round(
        catalogWaitMs / 1000,
      )} s; it appears once the catalog next reads the hub`,
    );
  }

  return createTemplateAction({
    id: REGISTER_ACTION_ID,
    description:
      'Registers a Model (its model card) with the Model Hub, which adds it to the catalog; validated locally first',
    examples: registerExamples,
    supportsDryRun: true,
    schema: { input: registerInputSchema, output: registerOutputSchema },
    async handler(ctx) {
      const entity = buildModelEntity(ctx.input as RegisterModelInput);
      assertValidModelEntity(entity);
      const entityRef = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
      const catalogPath = catalogModelPath(
        entity.metadata.namespace!,
        entity.metadata.name,
      );

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would register ${entityRef}: ${JSON.stringify(entity)}`,
        );
        ctx.output('entityRef', entityRef);
        ctx.output('created', false);
        ctx.output('catalogPath', catalogPath);
        ctx.output('entity', entity as unknown as Record<string, unknown>);
        return;
      }

      const credentials = await ctx.getInitiatorCredentials();
      // A resumed task (scaffolder recovery) reports the original outcome.
      const registered = (await ctx.checkpoint({
        key: `model-hub.register.${entityRef}`,
        fn: async () =>
          (await client.registerModel(entity, {
            credentials,
          })) as unknown as JsonObject,
      })) as unknown as RegisterModelResponse;
      ctx.logger.info(
        `${registered.created ? 'Registered' : 'Updated the registration of'} ${
          registered.entityRef
        }; the catalog shows it at ${catalogPath}`,
      );
      if (registered.created) {
        await awaitCatalog(registered.entityRef, credentials, ctx.logger);
      }
      ctx.output('entityRef', registered.entityRef);
      ctx.output('created', registered.created);
      ctx.output('catalogPath', catalogPath);
      ctx.output(
        'entity',
        registered.entity as unknown as Record<string, unknown>,
      );
    },
  });
}
