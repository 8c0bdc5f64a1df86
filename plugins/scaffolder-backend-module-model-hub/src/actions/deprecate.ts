import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { JsonObject } from '@backstage/types';
import { ModelDeprecation } from '@internal/plugin-model-hub-common';
import { z as zod } from 'zod';
import { ModelHubClient } from '../client/ModelHubClient';
import { modelTarget } from './refs';

/** The id of {@link createDeprecateModelAction}. */
export const DEPRECATE_ACTION_ID = 'model-hub:deprecate';

/** Step examples of `model-hub:deprecate`. */
export const deprecateExamples = [
  {
    description:
      'Deprecate a model and point its consumers at the model that replaces it',
    example: `steps:
  - id: deprecate
    name: Deprecate model
    action: model-hub:deprecate
    input:
      model: model:default/invoice-extractor
      reason: Replaced by the multilingual extractor; support ends in March
      successor: model:default/invoice-extractor-multilingual
`,
  },
];

/** Input schema of `model-hub:deprecate`. */
export const deprecateInputSchema = {
  model: (z: typeof zod) =>
    z
      .string()
      .describe(
        'The Model to deprecate, e.g. model:default/invoice-extractor (kind defaults to Model)',
      ),
  reason: (z: typeof zod) =>
    z.string().describe('Why the model is deprecated; shown to its consumers'),
  successor: (z: typeof zod) =>
    z
      .string()
      .optional()
      .describe('The Model that replaces it, e.g. model:default/x'),
};

/** Output schema of `model-hub:deprecate`. */
export const deprecateOutputSchema = {
  entityRef: (z: typeof zod) => z.string().describe('Entity ref of the model'),
  successor: (z: typeof zod) =>
    z.string().describe('Entity ref of the successor; empty when none'),
  deprecatedAt: (z: typeof zod) =>
    z.string().describe('When the deprecation was recorded (ISO 8601)'),
  modelPath: (z: typeof zod) =>
    z.string().describe('Portal path of the model page'),
};

/** Dependencies of {@link createDeprecateModelAction}. */
export interface DeprecateModelActionOptions {
  client: ModelHubClient;
}

/**
 * `model-hub:deprecate`: records a deprecation of a Model with the hub, on
 * behalf of the user running the template (only its owners may); the
 * catalog then shows the model as deprecated, with its successor.
 */
export function createDeprecateModelAction(
  options: DeprecateModelActionOptions,
) {
  const { client } = options;
  return createTemplateAction({
    id: DEPRECATE_ACTION_ID,
    description:
      'Deprecates a Model in the Model Hub with a reason and optionally its successor',
    examples: deprecateExamples,
    schema: { input: deprecateInputSchema, output: deprecateOutputSchema },
    async handler(ctx) {
      const target = modelTarget(ctx.input.model);
      const reason = String(ctx.input.reason ?? '').trim();
      if (!reason) {
        throw new InputError(
          `Input reason is required: say why ${target.entityRef} is deprecated`,
        );
      }
      // The hub resolves a short successor ref in the model's namespace.
      const successor = ctx.input.successor?.trim() || undefined;
      const credentials = await ctx.getInitiatorCredentials();
      // A resumed task (scaffolder recovery) reports the original deprecation.
      const deprecation = (await ctx.checkpoint({
        key: `model-hub.deprecate.${target.entityRef}`,
        fn: async () =>
          (await client.deprecateModel(
            target.entityRef,
            { reason, successor },
            { credentials },
          )) as unknown as JsonObject,
      })) as unknown as ModelDeprecation;
      ctx.logger.info(
        `Deprecated ${deprecation.entityRef}${
          deprecation.successor ? ` in favour of ${deprecation.successor}` : ''
        }: ${deprecation.reason}`,
      );
      ctx.output('entityRef', deprecation.entityRef);
      ctx.output('successor', deprecation.successor ?? '');
      ctx.output('deprecatedAt', deprecation.deprecatedAt);
      ctx.output('modelPath', target.modelPath);
    },
  });
}
