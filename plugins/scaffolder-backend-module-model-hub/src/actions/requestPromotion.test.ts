import {
  actionContext,
  BOB,
  startTestHub,
  TestHub,
} from '../__testUtils__/hub';
import { createRequestModelPromotionAction } from './requestPromotion';

jest.setTimeout(60_000);

const MODEL = 'model:default/sentiment-classifier';

describe('model-hub:request-promotion against the real hub', () => {
  let hub: TestHub;
  let action: ReturnType<typeof createRequestModelPromotionAction>;

  beforeAll(async () => {
    hub = await startTestHub();
    action = createRequestModelPromotionAction({ client: hub.client });
  });

  afterAll(async () => {
    await hub?.stop();
  });

  it('files a pending promotion request to official that the hub lists', async () => {
    const ctx = actionContext({
      model: 'sentiment-classifier',
      comment: 'Ready for the support desk',
    });
    await action.handler(ctx as any);
    expect(ctx.outputs).toEqual({
      requestId: expect.any(Number),
      state: 'pending',
      entityRef: MODEL,
      gauntletPath: '/catalog/default/model/sentiment-classifier/gauntlet',
    });
    const gauntlet = await hub.client.getGauntlet(MODEL, {
      credentials: await ctx.getInitiatorCredentials(),
    });
    expect(gauntlet.approvals).toEqual([
      expect.objectContaining({
        id: ctx.outputs.requestId,
        tier: 'official',
        state: 'pending',
        comment: 'Ready for the support desk',
        requestedBy: 'user:default/alice',
      }),
    ]);
  });

  it('files one request only when a resumed task replays the step', async () => {
    const checkpoints = new Map<string, unknown>();
    const input = { model: 'model:default/no-evaluation', comment: 'Replayed' };
    const first = actionContext(input, { checkpoints });
    await action.handler(first as any);
    const replay = actionContext(input, { checkpoints });
    await action.handler(replay as any);
    expect(replay.outputs.requestId).toBe(first.outputs.requestId);
    const gauntlet = await hub.client.getGauntlet(
      'model:default/no-evaluation',
      { credentials: await first.getInitiatorCredentials() },
    );
    expect(gauntlet.approvals).toEqual([
      expect.objectContaining({
        id: first.outputs.requestId,
        comment: 'Replayed',
      }),
    ]);
  });

  it("keeps the hub's conflict when a request is already pending", async () => {
    const ctx = actionContext({ model: MODEL });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      /^Could not request promotion of model:default\/sentiment-classifier to official: .*already has pending promotion request/,
    );
  });

  it("keeps the hub's refusal when the user does not own the model", async () => {
    const ctx = actionContext({ model: MODEL }, { user: BOB });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      /^Could not request promotion of model:default\/sentiment-classifier to official: Not allowed/,
    );
  });

  it("keeps the hub's message for an unknown model", async () => {
    const ctx = actionContext({ model: 'model:default/nope' });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      'Could not request promotion of model:default/nope to official: Model model:default/nope not found in the catalog',
    );
  });

  it('rejects a reference to another kind', async () => {
    const ctx = actionContext({ model: 'component:default/payments' });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      'Input model "component:default/payments" is not a Model reference',
    );
  });
});
