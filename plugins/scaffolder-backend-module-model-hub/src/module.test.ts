import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  scaffolderActionsExtensionPoint,
  TemplateAction,
} from '@backstage/plugin-scaffolder-node';
import { z } from 'zod';
import { parse } from 'yaml';
import { actionContext } from './__testUtils__/hub';
import {
  createRegisterModelAction,
  deprecateExamples,
  deprecateInputSchema,
  publishVersionExamples,
  publishVersionInputSchema,
  registerExamples,
  registerInputSchema,
  requestPromotionExamples,
  requestPromotionInputSchema,
} from './actions';
import { ModelHubClient } from './client/ModelHubClient';
import { scaffolderModuleModelHub } from './module';

describe('scaffolderModuleModelHub', () => {
  it('refuses a negative modelHub.scaffolder.catalogWaitSeconds at start-up', async () => {
    await expect(
      startTestBackend({
        extensionPoints: [
          [scaffolderActionsExtensionPoint, { addActions: () => {} }],
        ],
        features: [
          scaffolderModuleModelHub,
          catalogServiceMock.factory(),
          mockServices.urlReader.factory(),
          mockServices.rootConfig.factory({
            data: { modelHub: { scaffolder: { catalogWaitSeconds: -1 } } },
          }),
        ],
      }),
    ).rejects.toThrow(
      'modelHub.scaffolder.catalogWaitSeconds must be a non-negative number, got -1',
    );
  });

  it('adds the four Model Hub actions with JSON schemas and examples', async () => {
    const actions: TemplateAction<any, any, any>[] = [];
    await startTestBackend({
      extensionPoints: [
        [
          scaffolderActionsExtensionPoint,
          {
            addActions: (...a: TemplateAction<any, any, any>[]) =>
              actions.push(...a),
          },
        ],
      ],
      features: [
        scaffolderModuleModelHub,
        catalogServiceMock.factory(),
        mockServices.urlReader.factory(),
      ],
    });
    expect(actions.map(a => a.id)).toEqual([
      'model-hub:register',
      'model-hub:publish-version',
      'model-hub:request-promotion',
      'model-hub:deprecate',
    ]);
    for (const action of actions) {
      expect(action.description).toEqual(expect.any(String));
      expect(action.examples?.length).toBeGreaterThan(0);
      expect(action.schema?.input).toMatchObject({ type: 'object' });
      expect(action.schema?.output).toMatchObject({ type: 'object' });
      // Every input and output field says what it is.
      for (const schema of [action.schema!.input!, action.schema!.output!]) {
        for (const [field, property] of Object.entries(
          (schema as { properties: Record<string, { description?: string }> })
            .properties,
        )) {
          expect({ field, description: property.description }).toEqual({
            field,
            description: expect.any(String),
          });
        }
      }
    }
    const register = actions.find(a => a.id === 'model-hub:register')!;
    expect(register.supportsDryRun).toBe(true);
    expect(register.schema?.input).toMatchObject({
      required: expect.arrayContaining([
        'name',
        'description',
        'owner',
        'steward',
        'type',
        'task',
        'license',
      ]),
    });
  });
});

describe('action examples', () => {
  const cases = [
    ['model-hub:register', registerExamples, registerInputSchema],
    [
      'model-hub:publish-version',
      publishVersionExamples,
      publishVersionInputSchema,
    ],
    [
      'model-hub:request-promotion',
      requestPromotionExamples,
      requestPromotionInputSchema,
    ],
    ['model-hub:deprecate', deprecateExamples, deprecateInputSchema],
  ] as const;

  it.each(cases)(
    '%s examples are valid steps of that action',
    (id, examples, schema) => {
      const input = z
        .object(
          Object.fromEntries(
            Object.entries(schema).map(([k, f]) => [
              k,
              (f as (x: typeof z) => z.ZodTypeAny)(z),
            ]),
          ),
        )
        .strict();
      for (const example of examples) {
        const { steps } = parse(example.example) as {
          steps: Array<{
            id: string;
            name: string;
            action: string;
            input: unknown;
          }>;
        };
        expect(steps.length).toBeGreaterThan(0);
        for (const step of steps) {
          expect(step.action).toBe(id);
          const parsed = input.safeParse(step.input);
          expect(parsed.success ? 'valid' : parsed.error.message).toBe('valid');
        }
      }
    },
  );

  it('the register example is a valid model card (checked by a dry run)', async () => {
    const action = createRegisterModelAction({
      client: new ModelHubClient({
        discovery: mockServices.discovery(),
        auth: mockServices.auth(),
      }),
    });
    const { steps } = parse(registerExamples[0].example);
    const ctx = actionContext(steps[0].input, { isDryRun: true });
    await action.handler(ctx as any);
    expect(ctx.outputs).toMatchObject({
      entityRef: 'model:default/invoice-extractor',
      created: false,
      catalogPath: '/catalog/default/model/invoice-extractor',
    });
  });
});
