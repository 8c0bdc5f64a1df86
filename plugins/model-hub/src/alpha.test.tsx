import modelHubPlugin from './alpha';

describe('new frontend system plugin', () => {
  it('is the model-hub plugin with its page, entity cards, contents and form fields', () => {
    expect(modelHubPlugin.id).toBe('model-hub');
    for (const id of [
      'page:model-hub',
      'entity-card:model-hub/model-card',
      'entity-card:model-hub/models-used',
      'entity-card:model-hub/stewardship',
      'entity-content:model-hub/versions',
      'entity-content:model-hub/gauntlet',
      'entity-card:model-hub/model-readme',
      'entity-content:model-hub/files',
      'entity-content:model-hub/compare',
      'entity-content:model-hub/evaluations',
      'scaffolder-form-field:model-hub/similar-models',
      'scaffolder-form-field:model-hub/license-picker',
      'scaffolder-form-field:model-hub/steward-picker',
    ] as const) {
      expect(modelHubPlugin.getExtension(id)).toBeDefined();
    }
  });
});
