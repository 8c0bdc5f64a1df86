import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { runGauntletCheck } from '../../check';
import { checkContext, dataset, model } from '../testUtils';
import { parsePiiApproval, provenanceCheck } from './provenanceCheck';

/** A User entity as the catalog returns it: with its processed memberOf relations. */
function user(name: string, groups: string[]): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { memberOf: groups },
    relations: groups.map(g => ({
      type: 'memberOf',
      targetRef: `group:default/${g}`,
    })),
  };
}

const DANA = user('dana', ['ai-governance']);

const BERT: Entity = model(
  { tier: 'external', task: 'fill-mask', type: 'embedding' },
  {
    name: 'bert-base-uncased',
    annotations: {
      'modelhub.io/upstream':
        'https://huggingface.co/google-bert/bert-base-uncased',
    },
  },
);

async function run(
  entity = model(),
  catalog: Entity[] = [],
  tier?: 'official' | 'community' | 'external',
  config?: JsonObject,
) {
  return runGauntletCheck(
    provenanceCheck,
    checkContext({ entity, catalog, tier, config }),
  );
}

describe('provenanceCheck', () => {
  it('passes registered datasets and a base chain ending at an external model', async () => {
    const result = await run(
      model({
        trainingData: ['product-reviews'],
        baseModel: { ref: 'bert-base-uncased', relation: 'fine-tune' },
      }),
      [dataset('product-reviews'), BERT],
    );
    expect(result.status).toBe('pass');
    expect(result.evidence.baseModelChain).toEqual([
      expect.objectContaining({
        ref: 'model:default/bert-base-uncased',
        tier: 'external',
      }),
    ]);
  });

  it('fails a training dataset missing from the catalog', async () => {
    const result = await run(
      model({ trainingData: ['resource:default/ghost'] }),
    );
    expect(result.status).toBe('fail');
    expect(result.summary).toBe(
      'training dataset resource:default/ghost is not registered in the catalog',
    );
  });

  it('fails training data that is not a dataset', async () => {
    const notDataset: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: { name: 'bucket', namespace: 'default' },
      spec: { type: 's3-bucket', owner: 'group:default/data-team' },
    };
    const result = await run(model({ trainingData: ['bucket'] }), [notDataset]);
    expect(result.status).toBe('fail');
    expect(result.summary).toContain(
      'resource:default/bucket is not a dataset',
    );
  });

  it('fails a dataset without a source', async () => {
    const noSource = dataset('reviews');
    delete (noSource.spec!.dataset as Record<string, unknown>).source;
    const result = await run(model({ trainingData: ['reviews'] }), [noSource]);
    expect(result.status).toBe('fail');
    expect(result.summary).toMatch(
      /resource:default\/reviews does not record owner, license and source properly: .*source/,
    );
  });

  it('fails personal data without a recorded approval, passes it with one', async () => {
    const entity = model({ trainingData: ['tickets'] });
    const missing = await run(entity, [
      dataset('tickets', { pii: 'personal' }),
    ]);
    expect(missing.status).toBe('fail');
    expect(missing.summary).toContain(
      'holds personal data and has no recorded approval (annotation modelhub.io/pii-approval)',
    );

    const invalid = await run(entity, [
      dataset(
        'tickets',
        { pii: 'sensitive' },
        { 'modelhub.io/pii-approval': 'dana yesterday' },
      ),
    ]);
    expect(invalid.status).toBe('fail');
    expect(invalid.summary).toContain('invalid modelhub.io/pii-approval');

    const approved = await run(entity, [
      dataset(
        'tickets',
        { pii: 'sensitive' },
        { 'modelhub.io/pii-approval': 'user:default/dana 2026-03-01' },
      ),
      DANA,
    ]);
    expect(approved.status).toBe('pass');
    expect(approved.evidence.datasets).toEqual([
      expect.objectContaining({
        piiApproval: { approver: 'user:default/dana', date: '2026-03-01' },
      }),
    ]);
  });

  describe('forged PII approvals', () => {
    const entity = model({ trainingData: ['tickets'] });
    const tickets = (approval: string) =>
      dataset(
        'tickets',
        { pii: 'personal' },
        { 'modelhub.io/pii-approval': approval },
      );

    it('fails an approver who is not in the catalog', async () => {
      const result = await run(entity, [
        tickets('user:default/ghost 2026-03-01'),
        DANA,
      ]);
      expect(result.status).toBe('fail');
      expect(result.summary).toBe(
        'training dataset resource:default/tickets: modelhub.io/pii-approval does not count: approver user:default/ghost is not a User in the catalog',
      );
      expect(result.evidence.datasets).toEqual([
        expect.objectContaining({
          piiApproval: {
            approver: 'user:default/ghost',
            date: '2026-03-01',
            refused: 'approver user:default/ghost is not a User in the catalog',
          },
        }),
      ]);
    });

    it('fails an approver who is not a member of the governance group', async () => {
      const result = await run(entity, [
        tickets('user:default/mallory 2026-03-01'),
        user('mallory', ['ml-team', 'data-team']),
      ]);
      expect(result.status).toBe('fail');
      expect(result.summary).toContain(
        'approver user:default/mallory is not a member of the governance group group:default/ai-governance',
      );
    });

    it('does not trust a spec.memberOf the catalog did not turn into a relation', async () => {
      const forged: Entity = {
        ...user('mallory', []),
        spec: { memberOf: ['ai-governance'] },
      };
      const result = await run(entity, [
        tickets('user:default/mallory 2026-03-01'),
        forged,
      ]);
      expect(result.status).toBe('fail');
      expect(result.summary).toContain(
        'is not a member of the governance group',
      );
    });

    it('fails an approver ref that names another kind', async () => {
      // A bare name defaults to a User, so a Group of that name is not picked up.
      const result = await run(entity, [
        tickets('ai-governance 2026-03-01'),
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Group',
          metadata: { name: 'ai-governance', namespace: 'default' },
          spec: { type: 'team', children: [] },
        },
      ]);
      expect(result.status).toBe('fail');
      expect(result.summary).toContain(
        'approver user:default/ai-governance is not a User in the catalog',
      );
    });

    it('follows modelHub.governance.group', async () => {
      const approval = [tickets('user:default/dana 2026-03-01'), DANA];
      const other = await run(entity, approval, undefined, {
        modelHub: { governance: { group: 'group:default/legal' } },
      });
      expect(other.status).toBe('fail');
      expect(other.summary).toContain(
        'not a member of the governance group group:default/legal',
      );
      const legal = await run(
        entity,
        [tickets('user:default/lee 2026-03-01'), user('lee', ['legal'])],
        undefined,
        { modelHub: { governance: { group: 'legal' } } },
      );
      expect(legal.status).toBe('pass');
    });
  });

  it('fails an unregistered base model', async () => {
    const result = await run(
      model({
        trainingData: ['r'],
        baseModel: { ref: 'llama-9', relation: 'fine-tune' },
      }),
      [dataset('r')],
    );
    expect(result.status).toBe('fail');
    expect(result.summary).toContain(
      'base model model:default/llama-9 (of model:default/sentiment-classifier) is not registered',
    );
  });

  it('fails a cycle in the base-model chain', async () => {
    const a = model(
      { trainingData: ['r'], baseModel: { ref: 'b', relation: 'fine-tune' } },
      { name: 'a' },
    );
    const b = model(
      { baseModel: { ref: 'a', relation: 'fine-tune' } },
      { name: 'b' },
    );
    const result = await run(a, [dataset('r'), b, a]);
    expect(result.status).toBe('fail');
    expect(result.summary).toBe(
      'the base-model chain has a cycle: model:default/a -> model:default/b -> model:default/a',
    );
  });

  it('fails a third-party base registered with a non-external tier', async () => {
    const upstreamCommunity = model(
      { tier: 'community' },
      {
        name: 'bert-base-uncased',
        annotations: { 'modelhub.io/upstream': 'https://huggingface.co/bert' },
      },
    );
    const result = await run(
      model({
        trainingData: ['r'],
        baseModel: { ref: 'bert-base-uncased', relation: 'fine-tune' },
      }),
      [dataset('r'), upstreamCommunity],
    );
    expect(result.status).toBe('fail');
    expect(result.summary).toContain(
      'is registered as community, not external',
    );
  });

  it('fails missing training data for official, warns for community', async () => {
    expect((await run(model(), [], 'official')).status).toBe('fail');
    const community = await run(model(), [], 'community');
    expect(community.status).toBe('warn');
    expect(community.summary).toBe(
      'the model declares no training data (spec.trainingData)',
    );
  });

  it('parses approvals strictly', () => {
    expect(parsePiiApproval('dana 2026-02-28')).toEqual({
      approver: 'user:default/dana',
      date: '2026-02-28',
    });
    expect(parsePiiApproval('user:default/dana 2026-02-30')).toBe(
      '2026-02-30 is not a valid date',
    );
    expect(parsePiiApproval('group:default/legal 2026-02-01')).toBe(
      'approver group:default/legal is not a User',
    );
  });
});
