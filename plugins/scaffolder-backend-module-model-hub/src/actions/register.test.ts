import {
  actionContext,
  BOB,
  startTestHub,
  TestHub,
} from '../__testUtils__/hub';
import { createRegisterModelAction } from './register';

jest.setTimeout(60_000);

const input = {
  name: 'review-summarizer',
  title: 'Review summarizer',
  description: 'Summarizes product reviews for the marketing dashboard',
  tags: ['marketing', 'nlp'],
  owner: 'group:default/marketing',
  steward: 'user:default/alice',
  type: 'llm',
  task: 'summarization',
  framework: 'transformers',
  license: 'Apache-2.0',
  baseModel: 'model:default/sentiment-classifier',
  trainingData: ['resource:default/product-reviews'],
  intendedUse: 'Weekly summaries of public reviews',
  outOfScopeUse: 'Summarizing personal data',
  limitations: 'English only',
};

describe('model-hub:register against the real hub', () => {
  let hub: TestHub;
  let action: ReturnType<typeof createRegisterModelAction>;

  beforeAll(async () => {
    hub = await startTestHub();
    action = createRegisterModelAction({ client: hub.client });
  });

  afterAll(async () => {
    await hub?.stop();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('registers the model card with the hub, then updates it on a second run', async () => {
    const ctx = actionContext(input);
    await action.handler(ctx as any);
    expect(ctx.outputs).toMatchObject({
      entityRef: 'model:default/review-summarizer',
      created: true,
      catalogPath: '/catalog/default/model/review-summarizer',
    });
    expect(ctx.outputs.entity).toMatchObject({
      apiVersion: 'modelhub.io/v1alpha1',
      kind: 'Model',
      metadata: {
        name: 'review-summarizer',
        namespace: 'default',
        title: 'Review summarizer',
        description: 'Summarizes product reviews for the marketing dashboard',
        tags: ['marketing', 'nlp'],
      },
      spec: {
        type: 'llm',
        task: 'summarization',
        framework: 'transformers',
        owner: 'group:default/marketing',
        steward: 'user:default/alice',
        lifecycle: 'experimental',
        tier: 'community',
        license: 'Apache-2.0',
        baseModel: {
          ref: 'model:default/sentiment-classifier',
          relation: 'fine-tune',
        },
        trainingData: ['resource:default/product-reviews'],
        intendedUse: 'Weekly summaries of public reviews',
        outOfScopeUse: 'Summarizing personal data',
        limitations: 'English only',
      },
    });

    const again = actionContext({ ...input, lifecycle: 'production' });
    await action.handler(again as any);
    expect(again.outputs).toMatchObject({
      entityRef: 'model:default/review-summarizer',
      created: false,
      entity: { spec: { lifecycle: 'production' } },
    });
  });

  it('reports the original outcome when a resumed task replays the step', async () => {
    const checkpoints = new Map<string, unknown>();
    const replayed = { ...input, name: 'replayed-model' };
    const first = actionContext(replayed, { checkpoints });
    await action.handler(first as any);
    const replay = actionContext(replayed, { checkpoints });
    await action.handler(replay as any);
    expect(first.outputs.created).toBe(true);
    expect(replay.outputs).toEqual(first.outputs);
  });

  it('lists every local problem, such as a bad SPDX expression, before calling the hub', async () => {
    const register = jest.spyOn(hub.client, 'registerModel');
    const ctx = actionContext({
      ...input,
      name: 'bad-license',
      license: 'Apache 2.0 or something',
      baseModel: 'component:default/payments',
    });
    const error = await action.handler(ctx as any).catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toMatch(/^Invalid model default\/bad-license:\n- /);
    expect(error.message).toContain('/spec/license');
    expect(error.message).toContain('/spec/baseModel/ref');
    expect(register).not.toHaveBeenCalled();
    expect(ctx.output).not.toHaveBeenCalled();
  });

  it("keeps the hub's message for an unknown owner", async () => {
    const ctx = actionContext({
      ...input,
      name: 'orphan',
      owner: 'group:default/ghosts',
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      /^Could not register model default\/orphan: .*unknown owner group:default\/ghosts/,
    );
  });

  it('refuses a user who is not a member of the owning group', async () => {
    const ctx = actionContext({ ...input, name: 'not-mine' }, { user: BOB });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      'Could not register model default/not-mine: you are not a member of group:default/marketing',
    );
  });

  it('refuses to take over a model that the catalog has from elsewhere', async () => {
    const ctx = actionContext({
      ...input,
      name: 'sentiment-classifier',
      baseModel: undefined,
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      /^Could not register model default\/sentiment-classifier: model:default\/sentiment-classifier already exists in the catalog/,
    );
  });

  it('validates only and reports what it would register in a dry run', async () => {
    const register = jest.spyOn(hub.client, 'registerModel');
    const ctx = actionContext(
      { ...input, name: 'dry-model', namespace: 'research' },
      { isDryRun: true },
    );
    await action.handler(ctx as any);
    expect(register).not.toHaveBeenCalled();
    expect(ctx.outputs).toMatchObject({
      entityRef: 'model:research/dry-model',
      created: false,
      catalogPath: '/catalog/research/model/dry-model',
      entity: { metadata: { name: 'dry-model', namespace: 'research' } },
    });

    const invalid = actionContext(
      { ...input, license: 'not a license!' },
      { isDryRun: true },
    );
    await expect(action.handler(invalid as any)).rejects.toThrow(
      '/spec/license',
    );
  });

  it('waits for the catalog to show a new model, so the link in the output works', async () => {
    let lookups = 0;
    const catalog = {
      getEntityByRef: jest.fn(async (ref: string) => {
        lookups += 1;
        return lookups < 3 ? undefined : { kind: 'Model', ref };
      }),
    };
    const waiting = createRegisterModelAction({
      client: hub.client,
      catalog: catalog as any,
      catalogPollMs: 10,
    });
    const ctx = actionContext({ ...input, name: 'awaited-model' });
    const info = jest.spyOn(ctx.logger, 'info');
    await waiting.handler(ctx as any);
    expect(catalog.getEntityByRef).toHaveBeenCalledTimes(3);
    expect(catalog.getEntityByRef).toHaveBeenLastCalledWith(
      'model:default/awaited-model',
      {
        credentials: expect.objectContaining({ principal: expect.anything() }),
      },
    );
    expect(info).toHaveBeenCalledWith(
      'The catalog shows model:default/awaited-model',
    );
  });

  it('still succeeds, with a warning, when the catalog is slow to show the model', async () => {
    const catalog = { getEntityByRef: jest.fn(async () => undefined) };
    const waiting = createRegisterModelAction({
      client: hub.client,
      catalog: catalog as any,
      catalogWaitMs: 30,
      catalogPollMs: 10,
    });
    const ctx = actionContext({ ...input, name: 'slow-model' });
    const warn = jest.spyOn(ctx.logger, 'warn');
    await waiting.handler(ctx as any);
    expect(ctx.outputs).toMatchObject({
      entityRef: 'model:default/slow-model',
      created: true,
    });
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('does not show it yet'),
    );
  });
});
