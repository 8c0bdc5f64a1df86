/**
 * The example software templates (examples/templates/*): valid Template
 * entities, in sync with the Model kind's vocabularies, calling only the
 * actions the portal has with only the inputs those actions accept, and a Git
 * skeleton that renders a valid Model entity with and without optional fields.
 */
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { createTemplateRenderer } from 'nunjitsu';
import { JsonObject, JsonValue } from '@backstage/types';
import {
  TemplateEntityV1beta3,
  templateEntityV1beta3Validator,
} from '@backstage/plugin-scaffolder-common';
import {
  MODEL_DERIVATIONS,
  MODEL_FRAMEWORKS,
  MODEL_TASKS,
  MODEL_TYPES,
  validateModelEntity,
} from '@internal/plugin-model-hub-common';
import { z as zod } from 'zod';
import { mockCredentials } from '@backstage/backend-test-utils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  ALICE,
  dataUrl,
  startTestHub,
  testEntities,
  TestHub,
} from './__testUtils__/hub';
import { scaffolderModuleModelHub } from './module';
import {
  DEPRECATE_ACTION_ID,
  PUBLISH_VERSION_ACTION_ID,
  REGISTER_ACTION_ID,
  REQUEST_PROMOTION_ACTION_ID,
  deprecateInputSchema,
  deprecateOutputSchema,
  publishVersionInputSchema,
  publishVersionOutputSchema,
  registerInputSchema,
  registerOutputSchema,
  requestPromotionInputSchema,
  requestPromotionOutputSchema,
} from './actions';

const examplesDir = path.resolve(__dirname, '../../../examples');
const templatesDir = path.join(examplesDir, 'templates');

type ActionSchema = Record<string, (z: typeof zod) => zod.ZodTypeAny>;
const objectOf = (schema: ActionSchema) =>
  zod
    .object(
      Object.fromEntries(Object.entries(schema).map(([k, f]) => [k, f(zod)])),
    )
    .strict();

/**
 * The Model Hub actions as the portal registers them: their input schemas
 * (strict, so an unknown input fails) and their output keys.
 */
const ACTIONS: Record<
  string,
  { input: zod.AnyZodObject; required: string[]; outputs: string[] }
> = Object.fromEntries(
  (
    [
      [REGISTER_ACTION_ID, registerInputSchema, registerOutputSchema],
      [
        PUBLISH_VERSION_ACTION_ID,
        publishVersionInputSchema,
        publishVersionOutputSchema,
      ],
      [
        REQUEST_PROMOTION_ACTION_ID,
        requestPromotionInputSchema,
        requestPromotionOutputSchema,
      ],
      [DEPRECATE_ACTION_ID, deprecateInputSchema, deprecateOutputSchema],
    ] as Array<[string, ActionSchema, ActionSchema]>
  ).map(([id, input, output]) => {
    const object = objectOf(input);
    return [
      id,
      {
        input: object,
        required: Object.keys(object.shape).filter(
          k => !object.shape[k].isOptional(),
        ),
        outputs: Object.keys(output),
      },
    ];
  }),
);
const BUILTIN_ACTIONS = [
  'catalog:fetch',
  'fetch:template',
  'publish:github',
  'catalog:register',
];

const templateNames = fs
  .readdirSync(templatesDir, { withFileTypes: true })
  .filter(d => d.isDirectory())
  .map(d => d.name)
  .sort();

function loadTemplate(name: string): TemplateEntityV1beta3 {
  const file = path.join(templatesDir, name, 'template.yaml');
  return yaml.parse(fs.readFileSync(file, 'utf8'));
}

/** Every property schema of a template's parameters, by name, including those in `dependencies`. */
function parameterProperties(
  template: TemplateEntityV1beta3,
): Map<string, JsonObject[]> {
  const found = new Map<string, JsonObject[]>();
  const visit = (schema: JsonValue | undefined) => {
    if (!schema || typeof schema !== 'object' || Array.isArray(schema)) {
      return;
    }
    const properties = schema.properties as JsonObject | undefined;
    for (const [key, value] of Object.entries(properties ?? {})) {
      found.set(key, [...(found.get(key) ?? []), value as JsonObject]);
    }
    for (const dependency of Object.values(
      (schema.dependencies as JsonObject | undefined) ?? {},
    )) {
      if (Array.isArray(dependency)) continue;
      visit(dependency);
      for (const branch of ((dependency as JsonObject).oneOf ??
        []) as JsonValue[]) {
        visit(branch);
      }
    }
  };
  const pages = template.spec.parameters;
  for (const page of Array.isArray(pages) ? pages : [pages]) {
    visit(page as JsonValue);
  }
  return found;
}

/** All `${{ ... }}` expressions in a value. */
function expressions(value: unknown): string[] {
  const text = JSON.stringify(value ?? null);
  return Array.from(text.matchAll(/\$\{\{(.*?)\}\}/g), m => m[1]);
}

// Renders step inputs the way the scaffolder's workflow runner does: each
// string through nunjitsu, keys whose value renders undefined are dropped.
const renderer = createTemplateRenderer({ filters: {} });
function renderInput(input: unknown, context: Record<string, unknown>) {
  const prepared = renderer.prepareContext(
    context as Parameters<typeof renderer.prepareContext>[0],
  );
  return JSON.parse(JSON.stringify(input), (_key, value) =>
    typeof value === 'string' ? renderer.renderValue(value, prepared) : value,
  );
}

/** A register-model form with only the required fields. */
const minimal = {
  name: 'review-sentiment',
  description: 'Scores the sentiment of product reviews.',
  owner: 'group:default/marketing',
  steward: 'user:default/sophie.laurent',
  type: 'classifier',
  task: 'text-classification',
  lifecycle: 'experimental',
  tier: 'community',
  license: 'Apache-2.0',
  storage: 'hub',
};
/** A register-model form with every field, Git storage and awkward text. */
const full = {
  ...minimal,
  title: 'Review "Sentiment": v2',
  description: 'Scores reviews: positive # negative\nsecond line',
  tags: ['nlp', 'sentiment'],
  system: 'system:default/review-insights',
  framework: 'onnx',
  lifecycle: 'production',
  tier: 'official',
  license: 'MIT OR Apache-2.0',
  baseModel: 'model:default/bert-base-uncased',
  baseModelRelation: 'distillation',
  trainingData: [
    'resource:default/product-reviews',
    'resource:default/product-reviews-holdout',
  ],
  intendedUse: "Dashboards; 'aggregates' only: no individual decisions.",
  outOfScopeUse: '- moderation\n- refunds',
  limitations: 'Sarcasm: {often} wrong & short texts',
  storage: 'git',
  repoUrl: 'github.com?owner=example-corp&repo=review-sentiment',
};

/** Filled-in forms per template: a minimal one and a full one. */
const SAMPLE_FORMS: Record<string, Record<string, unknown>[]> = {
  'register-model': [minimal, { ...full, storage: 'hub' }],
  'publish-model-version': [
    {
      model: 'model:default/sentiment-classifier',
      version: '1.2.0',
      source: 'url',
      urls: ['https://example.com/model.onnx'],
    },
    {
      model: 'model:default/sentiment-classifier',
      version: '1.3.0-rc.1',
      description: 'Retrained on 2025 reviews.',
      aliases: ['latest', 'candidate'],
      source: 'upload',
      files: ['data:application/octet-stream;name=model.onnx;base64,AAAA'],
      evaluationPredictions: 'data:text/csv;name=fairness.csv;base64,YSxi',
    },
  ],
  'request-official-tier': [
    { model: 'model:default/churn-classifier', tier: 'official' },
    {
      model: 'model:default/churn-classifier',
      tier: 'official',
      comment: 'Used by the retention campaigns.',
    },
  ],
  'deprecate-model': [
    { model: 'model:default/sentiment-classifier-v1', reason: 'Replaced.' },
    {
      model: 'model:default/sentiment-classifier-v1',
      reason: 'Replaced by the distilled model.',
      successor: 'model:default/sentiment-classifier',
    },
  ],
  'migrate-consumer': [
    {
      consumer: 'component:default/churn-dashboard',
      deprecatedModel: 'model:default/sentiment-classifier-v1',
      successor: 'model:default/sentiment-classifier',
    },
    {
      consumer: 'component:default/review-insights-service',
      deprecatedModel: 'model:default/Sentiment-Classifier-v1',
      successor: 'model:default/sentiment-classifier',
    },
  ],
};

describe('example templates', () => {
  it('are the five Model Hub templates', () => {
    expect(templateNames).toEqual([
      'deprecate-model',
      'migrate-consumer',
      'publish-model-version',
      'register-model',
      'request-official-tier',
    ]);
  });

  it('are all listed in examples/catalog.yaml', () => {
    const location = yaml.parse(
      fs.readFileSync(path.join(examplesDir, 'catalog.yaml'), 'utf8'),
    );
    for (const name of templateNames) {
      expect(location.spec.targets).toContain(
        `./templates/${name}/template.yaml`,
      );
    }
  });

  describe.each(templateNames)('%s', name => {
    const template = loadTemplate(name);
    const properties = parameterProperties(template);

    it('is a valid Template entity owned by an example group', async () => {
      await expect(
        templateEntityV1beta3Validator.check(template),
      ).resolves.toBe(true);
      const org = yaml
        .parseAllDocuments(
          fs.readFileSync(path.join(examplesDir, 'org.yaml'), 'utf8'),
        )
        .map(d => d.toJS());
      const groups = org
        .filter(e => e.kind === 'Group')
        .map(e => `group:default/${e.metadata.name}`);
      expect(groups).toContain(template.spec.owner);
    });

    it('offers exactly the Model kind vocabularies', () => {
      const vocabularies: Record<string, readonly string[]> = {
        type: MODEL_TYPES,
        task: MODEL_TASKS,
        framework: MODEL_FRAMEWORKS,
        baseModelRelation: MODEL_DERIVATIONS,
      };
      for (const [key, vocabulary] of Object.entries(vocabularies)) {
        for (const schema of properties.get(key) ?? []) {
          expect(schema.enum).toEqual([...vocabulary]);
        }
      }
    });

    it('calls only known actions, with only the inputs they accept', () => {
      for (const step of template.spec.steps) {
        expect([...Object.keys(ACTIONS), ...BUILTIN_ACTIONS]).toContain(
          step.action,
        );
        const contract = ACTIONS[step.action];
        if (!contract) continue;
        const keys = Object.keys(step.input ?? {});
        expect(
          keys.filter(k => !Object.keys(contract.input.shape).includes(k)),
        ).toEqual([]);
        expect(contract.required.filter(k => !keys.includes(k))).toEqual([]);
      }
    });

    it('renders step inputs the actions accept, from a minimal and a full form', () => {
      expect(SAMPLE_FORMS[name]).toHaveLength(2);
      for (const parameters of SAMPLE_FORMS[name]) {
        for (const step of template.spec.steps) {
          const contract = ACTIONS[step.action];
          const { run } = renderInput({ run: step.if ?? true }, { parameters });
          if (!contract || !run) continue;
          const input = renderInput(step.input, { parameters });
          expect(() => contract.input.parse(input)).not.toThrow();
        }
      }
    });

    it('refers only to parameters it asks for and outputs its steps produce', () => {
      const stepsById = new Map(template.spec.steps.map(s => [s.id, s]));
      const all = expressions([template.spec.steps, template.spec.output]);
      for (const expression of all) {
        for (const [, param] of expression.matchAll(
          /parameters\.([A-Za-z0-9_]+)/g,
        )) {
          expect({ expression, known: properties.has(param) }).toEqual({
            expression,
            known: true,
          });
        }
        const stepOutputs = Array.from(
          expression.matchAll(
            /steps(?:\.([A-Za-z0-9_]+)|\['([^']+)'\])\.output\.([A-Za-z0-9_]+)/g,
          ),
          m => [m[1] ?? m[2], m[3]],
        );
        for (const [id, output] of stepOutputs) {
          const step = stepsById.get(id);
          expect({ expression, step: step?.id }).toEqual({
            expression,
            step: id,
          });
          const outputs = step && ACTIONS[step.action]?.outputs;
          expect({
            expression,
            output,
            known: outputs?.includes(output) ?? true,
          }).toEqual({
            expression,
            output,
            known: true,
          });
        }
      }
    });
  });
});

describe('register-model', () => {
  const template = loadTemplate('register-model');
  const step = (id: string) => template.spec.steps.find(s => s.id === id)!;

  it('registers in the hub by default, passing only the fields the form filled', () => {
    const input = renderInput(step('register').input, {
      parameters: minimal,
    });
    expect(input).toEqual({
      name: 'review-sentiment',
      description: 'Scores the sentiment of product reviews.',
      owner: 'group:default/marketing',
      steward: 'user:default/sophie.laurent',
      type: 'classifier',
      task: 'text-classification',
      lifecycle: 'experimental',
      tier: 'community',
      license: 'Apache-2.0',
    });
    expect(
      renderInput({ if: step('register').if }, { parameters: minimal }),
    ).toEqual({ if: true });
    expect(
      renderInput({ if: step('fetch').if }, { parameters: minimal }),
    ).toEqual({ if: false });
  });

  it('drops the derivation when no base model is chosen', () => {
    const input = renderInput(step('register').input, {
      parameters: { ...minimal, baseModelRelation: 'fine-tune' },
    });
    expect(input).not.toHaveProperty('baseModelRelation');
  });

  it('asks for every vocabulary field of the Model kind', () => {
    const properties = parameterProperties(template);
    for (const key of ['type', 'task', 'framework', 'baseModelRelation']) {
      expect(properties.get(key)).toHaveLength(1);
    }
  });

  it('takes the Git path only when storage is git', () => {
    for (const id of ['fetch', 'publish', 'register-git']) {
      expect(renderInput({ if: step(id).if }, { parameters: full })).toEqual({
        if: true,
      });
    }
    expect(
      renderInput({ if: step('register').if }, { parameters: full }),
    ).toEqual({ if: false });
    const storage = parameterProperties(template).get('storage')![0];
    expect(storage.enum).toEqual(['hub', 'git']);
    expect(storage.default).toBe('hub');
  });

  describe('skeleton catalog-info.yaml', () => {
    const skeleton = fs.readFileSync(
      path.join(templatesDir, 'register-model/skeleton/catalog-info.yaml.njk'),
      'utf8',
    );
    const fetchInput = step('fetch').input as JsonObject;
    const skeletonRenderer = createTemplateRenderer({
      filters: {},
      trimBlocks: fetchInput.trimBlocks as boolean,
      lstripBlocks: fetchInput.lstripBlocks as boolean,
    });
    const renderModel = (parameters: Record<string, unknown>) => {
      const { values } = renderInput(
        { values: fetchInput.values },
        {
          parameters,
        },
      );
      const text = skeletonRenderer.render(
        skeleton,
        skeletonRenderer.prepareContext({ values }),
      );
      return yaml.parse(text);
    };

    it('is rendered to the file the catalog registration reads', () => {
      const extension = fetchInput.templateFileExtension as string;
      expect(`/catalog-info.yaml${extension}`).toBe(
        `${(step('register-git').input as JsonObject).catalogInfoPath}.njk`,
      );
    });

    it('renders a valid Model from a minimal form', () => {
      const entity = renderModel(minimal);
      expect(validateModelEntity(entity)).toEqual({
        valid: true,
        errors: [],
      });
      expect(entity).toEqual({
        apiVersion: 'modelhub.io/v1alpha1',
        kind: 'Model',
        metadata: {
          name: 'review-sentiment',
          description: 'Scores the sentiment of product reviews.',
        },
        spec: {
          type: 'classifier',
          task: 'text-classification',
          owner: 'group:default/marketing',
          steward: 'user:default/sophie.laurent',
          lifecycle: 'experimental',
          tier: 'community',
          license: 'Apache-2.0',
        },
      });
    });

    it('renders a valid Model with every optional field, quoting awkward text', () => {
      const entity = renderModel(full);
      expect(validateModelEntity(entity)).toEqual({
        valid: true,
        errors: [],
      });
      expect(entity.metadata).toEqual({
        name: 'review-sentiment',
        title: full.title,
        description: full.description,
        tags: full.tags,
      });
      expect(entity.spec).toEqual({
        type: 'classifier',
        task: 'text-classification',
        framework: 'onnx',
        owner: 'group:default/marketing',
        steward: 'user:default/sophie.laurent',
        lifecycle: 'production',
        tier: 'official',
        system: 'system:default/review-insights',
        license: 'MIT OR Apache-2.0',
        baseModel: {
          ref: 'model:default/bert-base-uncased',
          relation: 'distillation',
        },
        trainingData: full.trainingData,
        intendedUse: full.intendedUse,
        outOfScopeUse: full.outOfScopeUse,
        limitations: full.limitations,
      });
    });

    it('leaves out empty tags and training data', () => {
      const entity = renderModel({ ...minimal, tags: [], trainingData: [] });
      expect(entity.metadata).not.toHaveProperty('tags');
      expect(entity.spec).not.toHaveProperty('trainingData');
      expect(validateModelEntity(entity)).toEqual({
        valid: true,
        errors: [],
      });
    });
  });
});

describe('publish-model-version', () => {
  const template = loadTemplate('publish-model-version');
  const input = template.spec.steps[0].input;

  it('publishes uploaded files or URLs, whichever source was chosen', () => {
    const common = {
      model: 'model:default/sentiment-classifier',
      version: '1.2.0',
    };
    expect(
      renderInput(input, {
        parameters: {
          ...common,
          source: 'upload',
          files: ['data:application/octet-stream;name=model.onnx;base64,AAAA'],
          urls: ['https://stale.example.com/model.onnx'],
        },
      }),
    ).toEqual({
      ...common,
      artifacts: ['data:application/octet-stream;name=model.onnx;base64,AAAA'],
    });
    expect(
      renderInput(input, {
        parameters: {
          ...common,
          source: 'url',
          urls: ['https://example.com/model.onnx'],
          aliases: ['latest'],
        },
      }).artifacts,
    ).toEqual(['https://example.com/model.onnx']);
  });

  it('accepts semantic versions only', () => {
    const version = parameterProperties(template).get('version')![0];
    const pattern = new RegExp(version.pattern as string);
    for (const ok of ['1.0.0', '0.2.10', '2.0.0-rc.1', '1.0.0+build.5']) {
      expect(pattern.test(ok)).toBe(true);
    }
    for (const bad of ['1.0', 'v1.0.0', '01.0.0', 'latest']) {
      expect(pattern.test(bad)).toBe(false);
    }
  });
});

describe('the example templates in the real scaffolder', () => {
  let hub: TestHub;
  const templates = templateNames.map(name => {
    const template = loadTemplate(name);
    return {
      ...template,
      metadata: { ...template.metadata, namespace: 'default' },
    };
  });

  beforeAll(async () => {
    hub = await startTestHub({
      entities: [...testEntities, ...templates],
      features: [scaffolderPlugin, scaffolderModuleModelHub],
    });
  }, 60_000);

  afterAll(async () => {
    await hub?.stop();
  });

  async function api(apiPath: string, user: string, body?: object) {
    const res = await fetch(`${hub.origin}/api/scaffolder${apiPath}`, {
      method: body ? 'POST' : 'GET',
      body: body ? JSON.stringify(body) : undefined,
      headers: {
        'content-type': 'application/json',
        authorization: mockCredentials.user.header(user),
      },
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  /** Runs a template as `user`, like the Create page does, and waits for it. */
  async function runTemplate(name: string, user: string, values: object) {
    const created = await api('/v2/tasks', user, {
      templateRef: `template:default/${name}`,
      values,
    });
    expect(created).toMatchObject({ status: 201 });
    for (let i = 0; i < 600; i++) {
      const task = await api(`/v2/tasks/${created.body.id}`, user);
      if (['completed', 'failed', 'cancelled'].includes(task.body.status)) {
        const events = await api(`/v2/tasks/${created.body.id}/events`, user);
        const list = events.body as Array<{
          type: string;
          body: { message?: string; output?: any };
        }>;
        return {
          status: task.body.status as string,
          output: list.find(e => e.type === 'completion')?.body.output,
          log: list.map(e => e.body.message ?? '').join('\n'),
        };
      }
      await new Promise(r => setTimeout(r, 100));
    }
    throw new Error(`the ${name} task did not finish`);
  }

  it('registers a model in the hub and links to it', async () => {
    const run = await runTemplate('register-model', ALICE, {
      ...minimal,
      owner: 'group:default/marketing',
      steward: ALICE,
      tags: ['nlp', 'sentiment'],
      baseModel: 'model:default/sentiment-classifier',
      baseModelRelation: 'fine-tune',
      trainingData: ['resource:default/product-reviews'],
    });
    expect(`${run.status}\n${run.log}`).toMatch(/^completed\n/);
    expect(run.output.links).toEqual([
      expect.objectContaining({
        title: 'Open the model in the catalog',
        entityRef: 'model:default/review-sentiment',
      }),
      { title: 'Model Hub', url: '/model-hub' },
    ]);
  });

  it('publishes an uploaded version and reports the pull command and gauntlet', async () => {
    const run = await runTemplate('publish-model-version', ALICE, {
      model: 'model:default/no-evaluation',
      version: '1.0.0',
      source: 'upload',
      files: [dataUrl('weights.bin', Buffer.from('bytes of a model'))],
      aliases: ['latest'],
    });
    expect(`${run.status}\n${run.log}`).toMatch(/^completed\n/);
    expect(run.output.links).toEqual([
      expect.objectContaining({
        url: '/catalog/default/model/no-evaluation/versions',
      }),
      expect.objectContaining({
        url: '/catalog/default/model/no-evaluation/gauntlet',
      }),
    ]);
    const [pull, gauntlet] = run.output.text;
    expect(pull.content).toContain(
      'model-hub pull model:default/no-evaluation@1.0.0',
    );
    expect(gauntlet.content).toMatch(/Gauntlet: \*\*\w+\*\*/);
  });

  it('requests the official tier and deprecates a model', async () => {
    const request = await runTemplate('request-official-tier', ALICE, {
      model: 'model:default/no-evaluation',
      tier: 'official',
      comment: 'Used by the review dashboards.',
    });
    expect(`${request.status}\n${request.log}`).toMatch(/^completed\n/);
    expect(request.output.links[0].url).toBe(
      '/catalog/default/model/no-evaluation/gauntlet',
    );

    const deprecate = await runTemplate('deprecate-model', ALICE, {
      model: 'model:default/no-evaluation',
      successor: 'model:default/sentiment-classifier',
      reason: 'Replaced by the sentiment classifier.',
    });
    expect(`${deprecate.status}\n${deprecate.log}`).toMatch(/^completed\n/);
    expect(deprecate.output.links).toEqual([
      expect.objectContaining({ entityRef: 'model:default/no-evaluation' }),
      expect.objectContaining({ url: '/catalog/default/model/no-evaluation' }),
    ]);
  });

  it('renders the Git skeleton into a valid Model with the real fetch:template (dry run)', async () => {
    const template = loadTemplate('register-model');
    // No GitHub here: the dry run stops after rendering the skeleton.
    const local = {
      ...template,
      spec: {
        ...template.spec,
        steps: template.spec.steps.filter(s => s.action === 'fetch:template'),
        output: {},
      },
    };
    const skeletonDir = path.join(templatesDir, 'register-model/skeleton');
    const { status, body } = await api('/v2/dry-run', ALICE, {
      template: local,
      values: full,
      secrets: {},
      directoryContents: fs.readdirSync(skeletonDir).map(file => ({
        path: `skeleton/${file}`,
        base64Content: fs
          .readFileSync(path.join(skeletonDir, file))
          .toString('base64'),
      })),
    });
    expect(status).toBe(200);
    const written = (
      body.directoryContents as Array<{ path: string; base64Content: string }>
    ).find(f => f.path === 'catalog-info.yaml');
    expect(written).toBeDefined();
    const entity = yaml.parse(
      Buffer.from(written!.base64Content, 'base64').toString('utf8'),
    );
    expect(validateModelEntity(entity)).toEqual({ valid: true, errors: [] });
    expect(entity.spec.baseModel).toEqual({
      ref: 'model:default/bert-base-uncased',
      relation: 'distillation',
    });
  });
});

describe('migrate-consumer', () => {
  const template = loadTemplate('migrate-consumer');
  const consumer = {
    kind: 'Component',
    metadata: { name: 'churn-dashboard', namespace: 'default' },
    spec: {
      dependsOn: [
        'resource:default/customer-db',
        'model:default/sentiment-classifier-v1',
        'model:default/churn-classifier',
      ],
    },
  };

  it("proposes the consumer's dependsOn with the deprecated model replaced by its successor, the rest kept in order", () => {
    for (const parameters of SAMPLE_FORMS['migrate-consumer']) {
      const output = renderInput(template.spec.output, {
        parameters,
        steps: { consumer: { output: { entity: consumer } } },
      });
      const [change] = output.text;
      const yamlBlock = /```yaml\n([\s\S]*?)```/.exec(change.content)![1];
      expect(yaml.parse(yamlBlock)).toEqual({
        spec: {
          dependsOn: [
            'resource:default/customer-db',
            'model:default/sentiment-classifier',
            'model:default/churn-classifier',
          ],
        },
      });
      expect(change.content).toContain(parameters.consumer as string);
      expect(
        output.links.map((l: { entityRef: string }) => l.entityRef),
      ).toEqual([parameters.consumer, 'model:default/sentiment-classifier']);
    }
  });

  it('reads the consumer from the catalog with the requester credentials (catalog:fetch)', () => {
    const [step] = template.spec.steps;
    expect(step.action).toBe('catalog:fetch');
    expect(
      renderInput(step.input, {
        parameters: SAMPLE_FORMS['migrate-consumer'][0],
      }),
    ).toEqual({ entityRef: 'component:default/churn-dashboard' });
  });
});
