import {
  isModelEntity,
  ModelEntityV1alpha1,
  modelEntityV1alpha1Schema,
  modelEntityV1alpha1Validator,
  validateModelEntity,
} from './ModelEntityV1alpha1';
import {
  MODEL_DERIVATIONS,
  MODEL_LIFECYCLES,
  MODEL_TASKS,
  MODEL_TIERS,
} from './vocabulary';

function validModel(): ModelEntityV1alpha1 {
  return {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: {
      name: 'support-assistant',
      annotations: { 'modelhub.io/last-activity': '2026-10-14' },
    },
    spec: {
      type: 'llm',
      task: 'text-generation',
      framework: 'transformers',
      owner: 'group:default/customer-support',
      steward: 'user:default/maria.garcia',
      lifecycle: 'production',
      tier: 'official',
      system: 'support-platform',
      license: 'LicenseRef-llama-3-community',
      baseModel: {
        ref: 'model:default/llama-3-8b-instruct',
        relation: 'fine-tune',
      },
      trainingData: ['resource:default/support-tickets-2024'],
      intendedUse: 'Drafting replies.',
      outOfScopeUse: 'Legal advice.',
      limitations: 'English only.',
      metrics: [
        { name: 'accuracy', value: 0.9, dataset: 'support-eval-set' },
        {
          name: 'accuracy',
          value: 0.8,
          dataset: 'support-eval-set',
          slice: 'language=de',
        },
      ],
      evaluation: {
        dataset: 'resource:default/support-eval-set',
        file: 'eval/predictions.csv',
        labelColumn: 'label',
        predictionColumn: 'prediction',
        sensitiveAttributes: ['language'],
        positiveLabel: 'accepted',
      },
    },
  };
}

/** Applies `mutate` to a fresh valid model and returns the validation errors. */
function errorsAfter(mutate: (m: any) => void): string[] {
  const model: any = validModel();
  mutate(model);
  return validateModelEntity(model).errors;
}

describe('validateModelEntity', () => {
  it('accepts a complete model', () => {
    expect(validateModelEntity(validModel())).toEqual({
      valid: true,
      errors: [],
    });
  });

  it('accepts a minimal model (only required fields)', () => {
    expect(
      validateModelEntity({
        apiVersion: 'modelhub.io/v1alpha1',
        kind: 'Model',
        metadata: { name: 'tiny' },
        spec: {
          type: 'classifier',
          task: 'tabular-classification',
          owner: 'marketing',
          lifecycle: 'experimental',
          tier: 'community',
          license: 'MIT',
        },
      }),
    ).toEqual({ valid: true, errors: [] });
  });

  it('rejects entities of other kinds', () => {
    expect(
      validateModelEntity({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
      }),
    ).toEqual({
      valid: false,
      errors: [
        'not a Model entity: expected apiVersion modelhub.io/v1alpha1 and kind Model',
      ],
    });
  });

  it.each<[string, (m: any) => void, string]>([
    [
      'a missing spec',
      m => delete m.spec,
      "/ must have required property 'spec'",
    ],
    ...(['type', 'task', 'owner', 'lifecycle', 'tier', 'license'] as const).map(
      field =>
        [
          `a missing ${field}`,
          (m: any) => delete m.spec[field],
          `/spec must have required property '${field}'`,
        ] as [string, (m: any) => void, string],
    ),
    [
      'an unknown tier',
      m => (m.spec.tier = 'gold'),
      '/spec/tier must be equal to one of the allowed values: official, community, external',
    ],
    [
      'an unknown lifecycle',
      m => (m.spec.lifecycle = 'retired'),
      '/spec/lifecycle must be equal to one of the allowed values: experimental, production, deprecated, archived',
    ],
    [
      'a task outside the pipeline-tag vocabulary',
      m => (m.spec.task = 'chatbot'),
      '/spec/task must be equal to one of the allowed values: text-classification, token-classification',
    ],
    [
      'a type that is not a slug',
      m => (m.spec.type = 'Large Language Model'),
      '/spec/type must match pattern',
    ],
    [
      'a framework that is not a slug',
      m => (m.spec.framework = 'PyTorch 2'),
      '/spec/framework must match pattern',
    ],
    [
      'a misspelt field',
      m => (m.spec.stewart = 'user:jane'),
      "/spec must NOT have additional property 'stewart'",
    ],
    [
      'an empty owner',
      m => (m.spec.owner = ''),
      '/spec/owner must NOT have fewer than 1 characters',
    ],
    [
      'a license with illegal characters',
      m => (m.spec.license = 'MIT/Apache'),
      '/spec/license must match pattern',
    ],
    [
      'a base model without derivation kind',
      m => delete m.spec.baseModel.relation,
      "/spec/baseModel must have required property 'relation'",
    ],
    [
      'an unknown derivation kind',
      m => (m.spec.baseModel.relation = 'copy'),
      '/spec/baseModel/relation must be equal to one of the allowed values: fine-tune, quantization, merge, adapter, distillation',
    ],
    [
      'training data that is not a list',
      m => (m.spec.trainingData = 'tickets'),
      '/spec/trainingData must be array',
    ],
    [
      'a metric without dataset',
      m => delete m.spec.metrics[1].dataset,
      "/spec/metrics/1 must have required property 'dataset'",
    ],
    [
      'a metric with a text value',
      m => (m.spec.metrics[0].value = 'high'),
      '/spec/metrics/0/value must be number',
    ],
    [
      'an evaluation file outside the version',
      m => (m.spec.evaluation.file = '../secrets.csv'),
      '/spec/evaluation/file must match pattern',
    ],
    [
      'an absolute evaluation file path',
      m => (m.spec.evaluation.file = '/etc/passwd'),
      '/spec/evaluation/file must match pattern',
    ],
    [
      'sensitive attributes without a label column',
      m => delete m.spec.evaluation.labelColumn,
      '/spec/evaluation must have properties file, labelColumn, predictionColumn when property sensitiveAttributes is present',
    ],
    [
      'an empty sensitive attribute list',
      m => (m.spec.evaluation.sensitiveAttributes = []),
      '/spec/evaluation/sensitiveAttributes must NOT have fewer than 1 items',
    ],
    [
      'an empty intended use',
      m => (m.spec.intendedUse = ''),
      '/spec/intendedUse must NOT have fewer than 1 characters',
    ],
  ])('rejects %s', (_name, mutate, message) => {
    const errors = errorsAfter(mutate);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(message);
  });

  it.each<[string, (m: any) => void, string]>([
    [
      'a malformed SPDX expression',
      m => (m.spec.license = 'MIT OR'),
      '/spec/license is not a valid SPDX license expression: expected a license id, found end of expression',
    ],
    [
      'lower-case SPDX operators',
      m => (m.spec.license = 'MIT or Apache-2.0'),
      '/spec/license is not a valid SPDX license expression: operator "or" at position 4 must be upper case (OR)',
    ],
    [
      'a steward that is a group',
      m => (m.spec.steward = 'group:default/customer-support'),
      '/spec/steward must reference a User, got kind group in "group:default/customer-support"',
    ],
    [
      'an owner that is a component',
      m => (m.spec.owner = 'component:default/x'),
      '/spec/owner must reference a Group or User, got kind component in "component:default/x"',
    ],
    [
      'a base model that is not a model',
      m => (m.spec.baseModel.ref = 'resource:default/llama'),
      '/spec/baseModel/ref must reference a Model, got kind resource in "resource:default/llama"',
    ],
    [
      'training data that is not a resource',
      m => (m.spec.trainingData = ['component:default/tickets']),
      '/spec/trainingData/0 must reference a Resource, got kind component in "component:default/tickets"',
    ],
    [
      'a malformed ref',
      m => (m.spec.system = 'a:b:c'),
      '/spec/system is not a valid entity ref: "a:b:c" has an invalid name "b:c" (expected [<kind>:][<namespace>/]<name>)',
    ],
    [
      'a model derived from itself',
      m => (m.spec.baseModel.ref = 'support-assistant'),
      '/spec/baseModel/ref must not reference the model itself',
    ],
    [
      'a successor on a production model',
      m => (m.spec.successor = 'model:default/support-assistant-v2'),
      '/spec/successor is only allowed when /spec/lifecycle is deprecated or archived, not production',
    ],
    [
      'a model succeeded by itself',
      m => {
        m.spec.lifecycle = 'deprecated';
        m.spec.successor = 'model:default/support-assistant';
      },
      '/spec/successor must not reference the model itself',
    ],
    [
      'a last-activity annotation that is not a date',
      m => (m.metadata.annotations['modelhub.io/last-activity'] = '14.10.2026'),
      '/metadata/annotations/modelhub.io~1last-activity must be a date YYYY-MM-DD, got "14.10.2026"',
    ],
    [
      'a requested tier that does not exist',
      m => (m.metadata.annotations['modelhub.io/requested-tier'] = 'platinum'),
      '/metadata/annotations/modelhub.io~1requested-tier must be one of official, community, external, got "platinum"',
    ],
  ])('rejects %s', (_name, mutate, message) => {
    expect(errorsAfter(mutate)).toEqual([message]);
  });

  it('rejects a ref with spaces in the name', () => {
    expect(
      errorsAfter(m => (m.spec.steward = 'user:default/Maria Garcia')),
    ).toEqual([
      '/spec/steward is not a valid entity ref: "user:default/Maria Garcia" has an invalid name "Maria Garcia" (expected [<kind>:][<namespace>/]<name>)',
    ]);
  });

  it('accepts a deprecated model with a successor', () => {
    expect(
      errorsAfter(m => {
        m.spec.lifecycle = 'deprecated';
        m.spec.successor = 'model:default/support-assistant-v2';
      }),
    ).toEqual([]);
  });

  it('reports several rule violations at once', () => {
    expect(
      errorsAfter(m => {
        m.spec.license = 'MIT OR';
        m.spec.steward = 'group:x';
      }),
    ).toHaveLength(2);
  });
});

describe('modelEntityV1alpha1Validator', () => {
  it('accepts a valid model', async () => {
    await expect(
      modelEntityV1alpha1Validator.check(validModel()),
    ).resolves.toBe(true);
  });

  it('does not claim other kinds', async () => {
    await expect(
      modelEntityV1alpha1Validator.check({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'x' },
        spec: {},
      }),
    ).resolves.toBe(false);
  });

  it('throws a readable TypeError for an invalid model', async () => {
    const model: any = validModel();
    model.spec.tier = 'gold';
    await expect(modelEntityV1alpha1Validator.check(model)).rejects.toThrow(
      new TypeError(
        '/spec/tier must be equal to one of the allowed values: official, community, external',
      ),
    );
    model.spec.tier = 'official';
    model.spec.license = 'MIT OR';
    await expect(modelEntityV1alpha1Validator.check(model)).rejects.toThrow(
      '/spec/license is not a valid SPDX license expression',
    );
  });
});

describe('isModelEntity', () => {
  it('recognises models by apiVersion and kind', () => {
    expect(isModelEntity(validModel())).toBe(true);
    expect(
      isModelEntity({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Model',
        metadata: { name: 'x' },
      }),
    ).toBe(false);
    expect(
      isModelEntity({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'x' },
      }),
    ).toBe(false);
  });
});

describe('modelEntityV1alpha1Schema', () => {
  const spec = (modelEntityV1alpha1Schema as any).allOf[1].properties.spec
    .properties;

  it('uses the exported vocabularies', () => {
    expect(spec.tier.enum).toEqual([...MODEL_TIERS]);
    expect(spec.lifecycle.enum).toEqual([...MODEL_LIFECYCLES]);
    expect(spec.task.enum).toEqual([...MODEL_TASKS]);
    expect(spec.baseModel.properties.relation.enum).toEqual([
      ...MODEL_DERIVATIONS,
    ]);
  });

  it('has an example that validates', () => {
    for (const example of (modelEntityV1alpha1Schema as any).examples) {
      expect(validateModelEntity(example)).toEqual({ valid: true, errors: [] });
    }
  });
});
