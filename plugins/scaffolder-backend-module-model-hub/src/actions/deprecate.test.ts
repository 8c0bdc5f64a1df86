import {
  actionContext,
  BOB,
  startTestHub,
  TestHub,
} from '../__testUtils__/hub';
import { modelHubApiPaths } from '@internal/plugin-model-hub-common';
import { createDeprecateModelAction } from './deprecate';

jest.setTimeout(60_000);

describe('model-hub:deprecate against the real hub', () => {
  let hub: TestHub;
  let action: ReturnType<typeof createDeprecateModelAction>;

  beforeAll(async () => {
    hub = await startTestHub();
    action = createDeprecateModelAction({ client: hub.client });
  });

  afterAll(async () => {
    await hub?.stop();
  });

  it("rejects an unknown successor with the hub's message", async () => {
    const ctx = actionContext({
      model: 'model:default/sentiment-classifier',
      reason: 'Superseded',
      successor: 'model:default/ghost',
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      'Could not deprecate model:default/sentiment-classifier: Invalid successor: unknown model model:default/ghost',
    );
  });

  it('rejects the model as its own successor', async () => {
    const ctx = actionContext({
      model: 'model:default/sentiment-classifier',
      reason: 'Superseded',
      successor: 'sentiment-classifier',
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      'cannot succeed itself',
    );
  });

  it('refuses a user who does not own the model', async () => {
    const ctx = actionContext(
      { model: 'model:default/sentiment-classifier', reason: 'Mine now' },
      { user: BOB },
    );
    await expect(action.handler(ctx as any)).rejects.toThrow(
      /^Could not deprecate model:default\/sentiment-classifier: Not allowed/,
    );
  });

  it('requires a reason', async () => {
    const ctx = actionContext({
      model: 'model:default/sentiment-classifier',
      reason: '  ',
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      'Input reason is required',
    );
  });

  it('records the deprecation with its successor', async () => {
    const before = Date.now();
    const ctx = actionContext({
      model: 'sentiment-classifier',
      reason: 'Replaced by a model with an evaluation-free card',
      successor: 'no-evaluation',
    });
    await action.handler(ctx as any);
    expect(ctx.outputs).toEqual({
      entityRef: 'model:default/sentiment-classifier',
      successor: 'model:default/no-evaluation',
      deprecatedAt: expect.any(String),
      modelPath: '/catalog/default/model/sentiment-classifier',
    });
    expect(
      Date.parse(ctx.outputs.deprecatedAt as string),
    ).toBeGreaterThanOrEqual(before - 1000);
    const stored = await hub.getJson(
      modelHubApiPaths.deprecation('model:default/sentiment-classifier'),
    );
    expect(stored).toEqual({
      status: 200,
      body: expect.objectContaining({
        reason: 'Replaced by a model with an evaluation-free card',
        successor: 'model:default/no-evaluation',
        deprecatedBy: 'user:default/alice',
      }),
    });
  });
});
