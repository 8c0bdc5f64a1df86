import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { Knex } from 'knex';
import { BatchTierReader, modelRefOf } from './BatchTierReader';
import { readGauntletConfig } from './config';
import { EffectiveTierCache } from './EffectiveTierCache';
import { ModelChangeFeed } from '../database/ModelChangeFeed';
import { GauntletStore } from './GauntletStore';
import { manifestSha256 } from './runInputs';
import { TierEvaluator } from './TierEvaluator';
import { VersionStore } from '../versions/VersionStore';
import { countQueries } from '../__testUtils__/countQueries';
import {
  createGauntletComplianceSource,
  createVersionActivitySource,
} from '../stewardship/sources';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });
const NOW = new Date('2026-12-06T10:00:00.000Z');
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const OFFICIAL = [
  'security',
  'license',
  'fairness',
  'performance',
  'provenance',
];
const gc = readGauntletConfig(new ConfigReader({}));

const model = (name: string, tier: string): Entity => ({
  apiVersion: 'modelhub.io/v1alpha1',
  kind: 'Model',
  metadata: { name, namespace: 'default' },
  spec: { type: 'classifier', owner: 'group:default/ml', tier },
});

/**
 * Writes the gauntlet history of one model in one of seven shapes (no
 * version, community pass, official with a waived failure, official approved,
 * approval bound to an older run, a run in flight, a new version without
 * results), so the batch meets every branch of the per-model evaluation.
 */
async function seedModel(db: Knex, i: number, shape = i % 7): Promise<Entity> {
  const name = `m${i}`;
  const ref = `model:default/${name}`;
  const entity = model(name, shape === 1 ? 'community' : 'official');
  if (shape === 0) return entity;
  const version = async (v: string, state = 'sealed') => {
    const [row] = await db('model_versions')
      .insert({
        entity_ref: ref,
        version: v,
        state,
        created_by: 'user:default/a',
        created_at: ago(500),
        sealed_at: state === 'sealed' ? ago(500) : null,
      })
      .returning('id');
    const id = Number(typeof row === 'object' ? row.id : row);
    await db('artifact_blobs')
      .insert({
        sha256: `${i}`.padStart(64, 'a'),
        size: 10 + i,
        created_at: ago(500),
      })
      .onConflict('sha256')
      .ignore();
    await db('model_version_files').insert({
      version_id: id,
      path: 'model.onnx',
      sha256: `${i}`.padStart(64, 'a'),
      size: 10 + i,
      format: 'onnx',
      scan_verdict: 'safe',
      scan: '{"verdict":"safe","findings":[]}',
      uploaded_by: 'user:default/a',
      uploaded_at: ago(500),
    });
    return id;
  };
  const run = async (
    v: string,
    tier: string,
    status: string,
    checks: Record<string, string>,
    minutes: number,
  ) => {
    const [row] = await db('gauntlet_runs')
      .insert({
        entity_ref: ref,
        version: v,
        tier,
        trigger: 'sealed',
        status,
        attempts: 1,
        queued_at: ago(minutes),
        started_at: ago(minutes),
        finished_at: status === 'completed' ? ago(minutes - 1) : null,
      })
      .returning('id');
    const runId = Number(typeof row === 'object' ? row.id : row);
    for (const [check, s] of Object.entries(checks)) {
      await db('gauntlet_results').insert({
        run_id: runId,
        entity_ref: ref,
        version: v,
        tier,
        check_id: check,
        check_version: '1',
        status: s,
        summary: `${check} ${s}`,
        evidence: '{}',
        config_sha256: 'c'.repeat(64),
        inputs_sha256: 'd'.repeat(64),
        started_at: ago(minutes),
        finished_at: ago(minutes - 1),
        duration_ms: 5,
      });
    }
    return runId;
  };
  const all = (s: string, ids = OFFICIAL) =>
    Object.fromEntries(ids.map(c => [c, s]));
  const approve = async (
    subject: string,
    subjectId: number,
    v: string,
    runId: number,
    approver: string,
  ) =>
    db('gauntlet_approvals').insert({
      subject,
      subject_id: subjectId,
      entity_ref: ref,
      approver,
      version: v,
      manifest_sha256: manifestSha256([
        { path: 'model.onnx', size: 10 + i, sha256: `${i}`.padStart(64, 'a') },
      ]),
      run_id: runId,
      approved_at: ago(10),
    });
  const promote = async () => {
    const [row] = await db('gauntlet_promotion_requests')
      .insert({
        entity_ref: ref,
        tier: 'official',
        state: 'approved',
        requested_by: 'user:default/a',
        requested_at: ago(20),
        decided_by: 'user:default/gina',
        decided_at: ago(10),
      })
      .returning('id');
    return Number(typeof row === 'object' ? row.id : row);
  };

  await version('1.0.0');
  if (shape === 1) {
    await run(
      '1.0.0',
      'community',
      'completed',
      all('pass', ['security', 'license']),
      100,
    );
  } else if (shape === 2) {
    await run(
      '1.0.0',
      'community',
      'completed',
      all('pass', ['security', 'license']),
      100,
    );
    const runId = await run(
      '1.0.0',
      'official',
      'completed',
      { ...all('pass'), fairness: 'fail' },
      90,
    );
    const [w] = await db('gauntlet_waivers')
      .insert({
        entity_ref: ref,
        check_id: 'fairness',
        reason: 'known gap',
        approved_by: 'user:default/gina',
        requested_by: 'user:default/a',
        state: 'approved',
        created_at: ago(30),
        expires_at: new Date(NOW.getTime() + 86_400_000),
      })
      .returning('id');
    await approve(
      'waiver',
      Number(typeof w === 'object' ? w.id : w),
      '1.0.0',
      runId,
      'user:default/gina',
    );
  } else if (shape === 3 || shape === 4) {
    await run(
      '1.0.0',
      'community',
      'completed',
      all('pass', ['security', 'license']),
      100,
    );
    const older = await run('1.0.0', 'official', 'completed', all('pass'), 90);
    const latest = await run('1.0.0', 'official', 'completed', all('pass'), 50);
    const id = await promote();
    await approve(
      'promotion',
      id,
      '1.0.0',
      shape === 3 ? latest : older,
      'user:default/gina',
    );
  } else if (shape === 5) {
    await run(
      '1.0.0',
      'official',
      'completed',
      { ...all('pass'), license: 'warn' },
      100,
    );
    await run('1.0.0', 'community', 'queued', {}, 5);
    await version('2.0.0', 'draft');
  } else if (shape === 7) {
    // Approved official, then a newer completed run of a lower tier: the
    // binding is the official run, not the newest completed one.
    const official = await run(
      '1.0.0',
      'official',
      'completed',
      all('pass'),
      100,
    );
    await approve('promotion', await promote(), '1.0.0', official, 'user:d/g');
    await run(
      '1.0.0',
      'community',
      'completed',
      all('pass', ['security', 'license']),
      40,
    );
  } else {
    await run('1.0.0', 'official', 'completed', all('pass'), 100);
    await version('1.1.0');
  }
  return entity;
}

/** Counts the SQL statements a knex client sends while `fn` runs. */
describe.each(databases.eachSupportedId())('BatchTierReader on %s', id => {
  let db: Knex;
  let entities: Entity[];
  let evaluator: TierEvaluator;
  let listOnlyEvaluator: TierEvaluator;
  let versions: VersionStore;
  const reader = () =>
    new BatchTierReader(db, gc, {
      listVersions: ref => versions.listVersions(ref),
      latestSealedVersions: refs => versions.latestSealedVersions(refs),
      getVersion: async () => {
        throw new Error('unused');
      },
      readFile: async () => {
        throw new Error('unused');
      },
    });

  beforeAll(async () => {
    db = await databases.init(id);
    const database = mockServices.database({
      knex: db,
      migrations: { skip: false },
    });
    const store = await GauntletStore.create({ database });
    versions = await VersionStore.create({ database });
    const evaluatorOf = (latestSealed: boolean) =>
      new TierEvaluator({
        store,
        versions: {
          listVersions: ref => versions.listVersions(ref),
          ...(latestSealed
            ? {
                latestSealedVersions: refs =>
                  versions.latestSealedVersions(refs),
                latestSealedManifest: ref => versions.latestSealedManifest(ref),
              }
            : {}),
          getVersion: async () => {
            throw new Error('unused');
          },
          readFile: async () => {
            throw new Error('unused');
          },
        },
        gauntletConfig: gc,
        logger: mockServices.logger.mock(),
        clock: () => NOW,
      });
    // The backend's source reads a model's latest sealed version alone;
    // a source without that finds it in the model's full list.
    evaluator = evaluatorOf(true);
    listOnlyEvaluator = evaluatorOf(false);
    entities = [];
    for (let i = 0; i < 200; i++) entities.push(await seedModel(db, i));
  });

  it('computes the same tier, status and reason as the per-model evaluation', async () => {
    const batch = await reader().read(entities, NOW);
    const tiers = new Set<string>();
    for (const entity of entities.slice(0, 21)) {
      const one = await evaluator.evaluate(entity);
      const got = batch.get(one.entityRef)!;
      expect({ ...got, gates: got.gates }).toEqual({
        entityRef: one.entityRef,
        version: one.version,
        requestedTier: one.requestedTier,
        effectiveTier: one.effectiveTier,
        reason: one.reason,
        status: one.status,
        gates: one.gates,
      });
      tiers.add(`${one.effectiveTier}/${one.status}`);
    }
    // The seven shapes reach different outcomes (not all "none").
    expect([...tiers].sort()).toEqual([
      'community/failed',
      'community/passed',
      'null/failed',
      'null/not-run',
      'null/pending',
      'official/passed',
    ]);
  });

  it("evaluates one model (the gauntlet GET) reading its latest sealed manifest, its decisions with their approvals, its tier chain's results and its runs in five statements", async () => {
    const full = listOnlyEvaluator;
    const lean = evaluator;
    for (const entity of entities.slice(0, 14)) {
      const listed = await countQueries(db, () => full.evaluate(entity));
      const alone = await countQueries(db, () => lean.evaluate(entity));
      expect(alone.value).toEqual(listed.value);
      expect(alone.count).toBeLessThanOrEqual(listed.count);
      // Official: the version with its files' digests, promotions and
      // waivers each with their approvals, the chain's results, the active
      // runs with the binding run (six before: the approvals on their own).
      expect(alone.count).toBeLessThanOrEqual(5);
    }
  });

  it("binds approvals to the latest completed run of the model's own tier, not a newer run of a lower tier", async () => {
    const entity = await seedModel(db, 1000, 7);
    const lean = await evaluator.evaluate(entity);
    expect(lean).toEqual(await listOnlyEvaluator.evaluate(entity));
    const official = await db('gauntlet_runs')
      .where({ entity_ref: 'model:default/m1000', tier: 'official' })
      .first();
    expect(lean.binding?.runId).toBe(Number(official.id));
    expect(lean.invalidations).toEqual([]);
    expect(lean.effectiveTier).toBe('official');
  });

  it('reads 200 models with as many queries as 1 (the per-model path needs ~5 per model)', async () => {
    const batch = reader();
    const one = await countQueries(db, () =>
      batch.read(entities.slice(3, 4), NOW),
    );
    const many = await countQueries(db, () => batch.read(entities, NOW));
    const perModel = await countQueries(db, async () => {
      for (const e of entities.slice(0, 10)) await evaluator.evaluate(e);
    });
    expect(many.value.size).toBe(200);
    expect(one.count).toBeLessThanOrEqual(9);
    expect(many.count).toBe(one.count);
    // Models without a sealed version skip the runs and results reads.
    expect(perModel.count).toBeGreaterThanOrEqual(10 * 4);
  });

  it('gives stewardship the same compliance and activity as the per-model reads, in a fixed number of queries', async () => {
    const perModel = createGauntletComplianceSource(evaluator);
    const batched = createGauntletComplianceSource(reader());
    const slice = entities.slice(0, 21);
    const one = await perModel.getCompliance(slice, { now: NOW });
    const many = await batched.getCompliance(slice, { now: NOW });
    expect(many).toEqual(one);
    // Failing checks and waivers reach stewardship (not all empty).
    expect(
      Object.values(many).some(c => c.checks.some(k => k.status === 'fail')),
    ).toBe(true);
    expect(Object.values(many).some(c => c.waivers.length > 0)).toBe(true);
    const few = await countQueries(db, () =>
      batched.getCompliance(entities.slice(0, 3), { now: NOW }),
    );
    const all = await countQueries(db, () =>
      batched.getCompliance(entities, { now: NOW }),
    );
    expect(all.count).toBe(few.count);

    const refs = entities.map(e => modelRefOf(e));
    const listed = await createVersionActivitySource({
      listVersions: ref => versions.listVersions(ref),
    }).getActivity(refs);
    const grouped = await countQueries(db, () =>
      createVersionActivitySource(versions).getActivity(refs),
    );
    expect(grouped.value).toEqual(listed);
    expect(Object.keys(listed).length).toBeGreaterThan(100);
    expect(grouped.count).toBe(1);
  });

  /** A replica's tier cache over the shared database (entries kept a minute). */
  const tierCache = (batch: BatchTierReader) =>
    new EffectiveTierCache({
      feed: new ModelChangeFeed({ db }),
      reader: batch,
      ttlMs: 60_000,
      clock: () => NOW,
    });

  it('serves repeated lookups from the cache until a tier event, from any replica', async () => {
    const batch = reader();
    const a = tierCache(batch);
    const b = tierCache(batch);
    const target = entities[1]; // community, passed
    const first = await a.getMany(entities);
    expect(first.get('model:default/m1')?.effectiveTier).toBe('community');
    // Warm: only the event poll, no tier queries.
    const warm = await countQueries(db, () => a.getMany(entities));
    expect(warm.count).toBe(1);

    expect((await b.getMany([target])).get('model:default/m1')?.status).toBe(
      'passed',
    );
    // A failing security result lands: the write itself is the event (a
    // trigger), seen by both replicas' next lookups.
    await db('gauntlet_results')
      .where({ entity_ref: 'model:default/m1', check_id: 'security' })
      .update({ status: 'fail' });
    expect((await b.getMany([target])).get('model:default/m1')?.status).toBe(
      'failed',
    );
    const after = await countQueries(db, () => a.getMany(entities));
    expect(after.value.get('model:default/m1')).toMatchObject({
      effectiveTier: null,
      status: 'failed',
    });
    // Only the changed model was recomputed: poll + one batch for one model.
    expect(after.count).toBeLessThanOrEqual(1 + 9);
  });

  it('shares the event read among concurrent lookups, and each still sees the events committed before it', async () => {
    const batch = reader();
    const a = tierCache(batch);
    const warm = await a.getMany(entities);
    // A model with an earned tier (not m1, which the test above failed).
    const target = entities.find(
      e =>
        modelRefOf(e) !== 'model:default/m1' &&
        warm.get(modelRefOf(e))?.effectiveTier,
    )!;
    const ref = modelRefOf(target);

    // Fifty concurrent warm lookups: one read in flight plus at most one
    // queued behind it, instead of one each.
    const burst = await countQueries(db, () =>
      Promise.all(Array.from({ length: 50 }, () => a.getMany(entities))),
    );
    expect(burst.count).toBeLessThanOrEqual(2);
    expect(burst.value.every(m => m.size === entities.length)).toBe(true);

    // A lookup that starts after another replica's write (while an older
    // read may still be in flight) drops that entry.
    const inFlight = a.getMany(entities);
    await db('gauntlet_results')
      .where({ entity_ref: ref })
      .update({ status: 'fail' });
    const later = await a.getMany(entities);
    await inFlight;
    const fresh = (await reader().read([target], NOW)).get(ref);
    expect(fresh?.effectiveTier).not.toBe(warm.get(ref)?.effectiveTier);
    expect(later.get(ref)).toEqual(fresh);
    // And a failed read is not shared with the lookups after it.
    const failing = tierCache(batch);
    await failing.getMany(entities);
    const spy = jest
      .spyOn(db.client, 'acquireConnection')
      .mockRejectedValueOnce(new Error('connection lost'));
    try {
      await expect(failing.getMany(entities)).rejects.toThrow(
        'connection lost',
      );
    } finally {
      spy.mockRestore();
    }
    expect((await failing.getMany(entities)).size).toBe(entities.length);
  });
});
