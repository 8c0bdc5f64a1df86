import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { JsonObject } from '@backstage/types';
import { PromotionRequest } from '@internal/plugin-model-hub-common';
import { z as zod } from 'zod';
import { ModelHubClient } from '../client/ModelHubClient';
import { modelTarget } from './refs';

/** The id of {@link createRequestModelPromotionAction}. */
export const REQUEST_PROMOTION_ACTION_ID = 'model-hub:request-promotion';

/** Step examples of `model-hub:request-promotion`. */
export const requestPromotionExamples = [
  {
    description:
      'Ask AI governance to promote a model to the official tier, with a note for the reviewers',
    example: `steps:
  - id: promote
    name: Request promotion
    action: model-hub:request-promotion
    input:
      model: model:default/invoice-extractor
      tier: official
      comment: Passed the gauntlet for 1.2.0; the invoices team supports it
`,
  },
];

/** Input schema of `model-hub:request-promotion`. */
export const requestPromotionInputSchema = {
  model: (z: typeof zod) =>
    z
      .string()
      .describe(
        'The Model to promote, e.g. model:default/invoice-extractor (kind defaults to Model)',
      ),
  tier: (z: typeof zod) =>
    z
      .literal('official')
      .optional()
      .describe('The tier asked for (default official, the only one granted)'),
  comment: (z: typeof zod) =>
    z.string().optional().describe('A note for the governance reviewers'),
};

/** Output schema of `model-hub:request-promotion`. */
export const requestPromotionOutputSchema = {
  requestId: (z: typeof zod) =>
    z.number().describe('Id of the promotion request'),
  state: (z: typeof zod) =>
    z.string().describe('State of the request: pending, approved or rejected'),
  entityRef: (z: typeof zod) => z.string().describe('Entity ref of the model'),
  gauntletPath: (z: typeof zod) =>
    z
      .string()
      .describe("Portal path of the model's gauntlet tab, where it is decided"),
};

/** Dependencies of {@link createRequestModelPromotionAction}. */
export interface RequestModelPromotionActionOptions {
  client: ModelHubClient;
}

/**
 * `model-hub:request-promotion`: files a promotion request for a Model on
 * behalf of the user running the template (only the model's owners may);
 * governance decides it on the model's gauntlet tab.
 */
export function createRequestModelPromotionAction(
  options: RequestModelPromotionActionOptions,
) {
  const { client } = options;
  return createTemplateAction({
    id: REQUEST_PROMOTION_ACTION_ID,
    description:
      'Requests the promotion of a Model to a higher tier; AI governance approves or rejects it',
    examples: requestPromotionExamples,
    schema: {
      input: requestPromotionInputSchema,
      output: requestPromotionOutputSchema,
    },
    async handler(ctx) {
      const target = modelTarget(ctx.input.model);
      const tier = ctx.input.tier ?? 'official';
      const credentials = await ctx.getInitiatorCredentials();
      // A resumed task (scaffolder recovery) must not file a second request.
      const request = (await ctx.checkpoint({
        key: `model-hub.request-promotion.${target.entityRef}.${tier}`,
        fn: async () =>
          (await client.requestPromotion(
            target.entityRef,
            { tier, comment: ctx.input.comment?.trim() || undefined },
            { credentials },
          )) as unknown as JsonObject,
      })) as unknown as PromotionRequest;
      ctx.logger.info(
        `Promotion request ${request.id} of ${request.entityRef} to ${request.tier} is ${request.state}`,
      );
      ctx.output('requestId', request.id);
      ctx.output('state', request.state);
      ctx.output('entityRef', target.entityRef);
      ctx.output('gauntletPath', `${target.modelPath}/gauntlet`);
    },
  });
}
