import modelHubPlugin from './alpha';

describe('new frontend system plugin', () => {
  it('is the model-hub plugin with its page, entity cards and contents', () => {
    expect(modelHubPlugin.id).toBe('model-hub');
    for (const id of [
      'page:model-hub',
      'entity-card:model-hub/model-card',
      'entity-card:model-hub/models-used',
      'entity-card:model-hub/stewardship',
      'entity-content:model-hub/versions',
      'entity-content:model-hub/gauntlet',
    ] as const) {
      expect(modelHubPlugin.getExtension(id)).toBeDefined();
    }
  });
});
