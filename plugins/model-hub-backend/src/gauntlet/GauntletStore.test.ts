import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { GauntletRunInputs, GauntletStore } from './GauntletStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });
const MODEL = 'model:default/sentiment-classifier';
const T0 = new Date('2026-11-27T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const LEASE = 30 * 60_000;

const inputs: GauntletRunInputs = {
  entitySha256: 'a'.repeat(64),
  filesSha256: 'b'.repeat(64),
  configSha256: 'c'.repeat(64),
  inputsSha256: 'd'.repeat(64),
  checkVersions: { security: '1', license: '1' },
};

describe.each(databases.eachSupportedId())(
  'GauntletStore on %s',
  databaseId => {
    let store: GauntletStore;

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      store = await GauntletStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
    });

    it('queues a run once per model, version and tier while it is queued', async () => {
      const first = await store.enqueue(
        {
          entityRef: MODEL,
          version: '1.0.0',
          tier: 'official',
          trigger: 'sealed',
        },
        T0,
      );
      expect(first.created).toBe(true);
      expect(first.run).toMatchObject({
        entityRef: MODEL,
        version: '1.0.0',
        tier: 'official',
        trigger: 'sealed',
        status: 'queued',
        attempts: 0,
        queuedAt: T0.toISOString(),
      });
      const again = await store.enqueue(
        {
          entityRef: MODEL,
          version: '1.0.0',
          tier: 'official',
          trigger: 'manual',
        },
        at(1),
      );
      expect(again).toEqual({ created: false, run: first.run });
      const community = await store.enqueue(
        {
          entityRef: MODEL,
          version: '1.0.0',
          tier: 'community',
          trigger: 'sealed',
        },
        T0,
      );
      expect(community.created).toBe(true);
    });

    it('claims in queue order, each run once, and stores results with timing and hashes', async () => {
      const a = await store.claimNext('runner-a', at(2), LEASE);
      const b = await store.claimNext('runner-b', at(2), LEASE);
      expect(a?.tier).toBe('official');
      expect(b?.tier).toBe('community');
      expect(a?.claimToken).not.toBe(b?.claimToken);
      expect(await store.claimNext('runner-c', at(2), LEASE)).toBeUndefined();

      // A runner that lost its claim cannot complete the run.
      expect(
        await store.completeRun(a!.id, 'someone-else', inputs, [], at(3)),
      ).toBe(false);
      expect(
        await store.completeRun(
          a!.id,
          a!.claimToken,
          inputs,
          [
            {
              checkId: 'security',
              checkVersion: '1',
              result: {
                status: 'pass',
                summary: 'all safe',
                evidence: { files: 2 },
              },
              startedAt: at(2),
              finishedAt: at(2.5),
            },
            {
              checkId: 'license',
              checkVersion: '1',
              result: {
                status: 'warn',
                summary: 'needs review',
                reason: 'LicenseRef-x',
                evidence: {},
                metrics: { terms: 2 },
              },
              startedAt: at(2.5),
              finishedAt: at(3),
            },
          ],
          at(3),
        ),
      ).toBe(true);

      const run = await store.getRun(a!.id);
      expect(run).toMatchObject({
        status: 'completed',
        attempts: 1,
        startedAt: at(2).toISOString(),
        finishedAt: at(3).toISOString(),
        durationMs: 60_000,
        inputs: {
          entitySha256: inputs.entitySha256,
          filesSha256: inputs.filesSha256,
          configSha256: inputs.configSha256,
          inputsSha256: inputs.inputsSha256,
        },
        checkVersions: { security: '1', license: '1' },
      });
      expect(
        run!.results!.map(r => [r.checkId, r.status, r.durationMs]),
      ).toEqual([
        ['security', 'pass', 30_000],
        ['license', 'warn', 30_000],
      ]);
      expect(run!.results![1]).toMatchObject({
        reason: 'LicenseRef-x',
        metrics: { terms: 2 },
      });
      const latest = await store.latestResults(MODEL, '1.0.0', 'official');
      expect(latest.map(r => r.checkId)).toEqual(['license', 'security']);
      expect(await store.latestResults(MODEL, '1.0.0', 'community')).toEqual(
        [],
      );

      await store.failRun(b!.id, b!.claimToken, 'model vanished', at(4));
      expect(await store.getRun(b!.id)).toMatchObject({
        status: 'failed',
        error: 'model vanished',
        durationMs: 120_000,
      });
    });

    it('re-queues a run once when its lease expires, then fails it with the reason', async () => {
      const { run } = await store.enqueue(
        {
          entityRef: 'model:default/stale',
          version: '1.0.0',
          tier: 'community',
          trigger: 'manual',
        },
        T0,
      );
      const first = await store.claimNext('dies', at(10), LEASE);
      expect(first).toMatchObject({
        id: run.id,
        attempts: 1,
        leaseOwner: 'dies',
        leaseExpiresAt: at(40).toISOString(),
      });
      // A running run is never claimed again, even after its lease expired:
      // only recovery hands it back.
      expect(await store.claimNext('other', at(50), LEASE)).toBeUndefined();
      // The heartbeat keeps it alive: nothing to recover before the new expiry.
      expect(
        await store.heartbeat(run.id, first!.claimToken, at(30), LEASE),
      ).toBe(true);
      expect(await store.recoverExpired(at(59), LEASE, 2)).toEqual({
        requeued: 0,
        failed: 0,
      });
      // The runner stops heartbeating (dies): recovery re-queues it once.
      expect(await store.recoverExpired(at(61), LEASE, 2)).toEqual({
        requeued: 1,
        failed: 0,
      });
      expect(await store.getRun(run.id)).toMatchObject({
        status: 'queued',
        attempts: 1,
        retriedAt: at(61).toISOString(),
      });
      // The dead runner cannot heartbeat, complete or fail it any more.
      expect(
        await store.heartbeat(run.id, first!.claimToken, at(62), LEASE),
      ).toBe(false);
      expect(
        await store.completeRun(run.id, first!.claimToken, inputs, [], at(62)),
      ).toBe(false);
      await store.failRun(run.id, first!.claimToken, 'too late', at(62));
      const second = await store.claimNext('other', at(63), LEASE);
      expect(second).toMatchObject({ id: run.id, attempts: 2 });
      // The second holder dies too: the run fails with a clear reason.
      expect(await store.recoverExpired(at(94), LEASE, 2)).toEqual({
        requeued: 0,
        failed: 1,
      });
      expect((await store.getRun(run.id))!).toMatchObject({
        status: 'failed',
        attempts: 2,
        error:
          'gave up after 2 attempts: the runner holding the run stopped heartbeating each time (lease expired)',
      });
      expect(
        await store.completeRun(run.id, second!.claimToken, inputs, [], at(95)),
      ).toBe(false);
    });

    it('keeps one run per seal when the refresh races it on another replica, in either order', async () => {
      /** Claims queued runs until `id` is running (a worker took it). */
      const takeUntil = async (id: number) => {
        for (;;) {
          const claimed = await store.claimNext('worker', at(200), LEASE);
          if (!claimed || claimed.id === id) return claimed;
        }
      };
      const first = {
        entityRef: 'model:default/raced',
        version: '1.0.0',
        tier: 'community' as const,
      };
      // The refresh reads: no run yet (the seal's enqueue has not happened).
      const seen = await store.newestRunId(
        first.entityRef,
        '1.0.0',
        'community',
      );
      expect(seen).toBeNull();
      // The seal's run is queued and a worker takes it.
      const sealed = await store.enqueue(
        { ...first, trigger: 'sealed' },
        at(100),
      );
      expect(sealed.created).toBe(true);
      expect(await takeUntil(sealed.run.id)).toMatchObject({
        status: 'running',
      });
      // The refresh's enqueue, decided on its earlier read, adds nothing.
      expect(
        await store.enqueue(
          { ...first, trigger: 'scheduled', ifNewestRunId: seen },
          at(101),
        ),
      ).toMatchObject({ created: false, run: { id: sealed.run.id } });

      // The other order: the refresh queued first and a worker took it; the
      // seal's enqueue is that run, not a second one.
      const second = { ...first, version: '2.0.0' };
      const scheduled = await store.enqueue(
        { ...second, trigger: 'scheduled', ifNewestRunId: null },
        at(102),
      );
      expect(scheduled.created).toBe(true);
      await takeUntil(scheduled.run.id);
      expect(
        await store.enqueue({ ...second, trigger: 'sealed' }, at(103)),
      ).toMatchObject({ created: false, run: { id: scheduled.run.id } });
      // Decided on the newest run, the refresh still queues (e.g. outdated results).
      expect(
        (
          await store.enqueue(
            {
              ...second,
              trigger: 'scheduled',
              ifNewestRunId: scheduled.run.id,
            },
            at(104),
          )
        ).created,
      ).toBe(true);
    });

    it('keeps one pending promotion request and decides it once', async () => {
      const request = await store.createPromotionRequest({
        entityRef: MODEL,
        tier: 'official',
        comment: 'ready for products',
        requestedBy: 'user:default/alice',
        now: T0,
      });
      expect(request).toMatchObject({
        state: 'pending',
        requestedAt: T0.toISOString(),
      });
      await expect(
        store.createPromotionRequest({
          entityRef: MODEL,
          tier: 'official',
          requestedBy: 'user:default/alice',
          now: T0,
        }),
      ).rejects.toThrow(/already has pending promotion request/);
      const approved = await store.decidePromotionRequest({
        entityRef: MODEL,
        id: request.id,
        state: 'approved',
        decidedBy: 'user:default/gina',
        comment: 'ok',
        now: at(5),
      });
      expect(approved).toMatchObject({
        state: 'approved',
        decidedBy: 'user:default/gina',
        decidedAt: at(5).toISOString(),
        decisionComment: 'ok',
      });
      await expect(
        store.decidePromotionRequest({
          entityRef: MODEL,
          id: request.id,
          state: 'rejected',
          decidedBy: 'user:default/gina',
          now: at(6),
        }),
      ).rejects.toThrow(/was already approved/);
      await expect(
        store.decidePromotionRequest({
          entityRef: 'model:default/other',
          id: request.id,
          state: 'rejected',
          decidedBy: 'user:default/gina',
          now: at(6),
        }),
      ).rejects.toThrow(/has no promotion request/);
    });

    it('keeps a waiver pending until approved, then active until it expires', async () => {
      const waiver = await store.createWaiver({
        entityRef: MODEL,
        checkId: 'fairness',
        reason: 'no sensitive attributes collected',
        requestedBy: 'user:default/alice',
        expiresAt: at(60),
        now: T0,
      });
      expect(waiver).toMatchObject({
        state: 'pending',
        requestedBy: 'user:default/alice',
        approvedBy: '',
        active: false,
      });
      await store.waivers.setState(waiver.id, 'approved', 'user:default/gina');
      expect((await store.listWaivers(MODEL, at(59)))[0]).toMatchObject({
        checkId: 'fairness',
        state: 'approved',
        approvedBy: 'user:default/gina',
        active: true,
        expiresAt: at(60).toISOString(),
      });
      expect((await store.listWaivers(MODEL, at(60)))[0].active).toBe(false);
    });

    it('keeps invalidated approvals as history with their reason', async () => {
      const binding = {
        version: '1.0.0',
        manifestSha256: 'e'.repeat(64),
        runId: 7,
      };
      const approval = await store.approvals.add({
        subject: 'promotion',
        subjectId: 1,
        entityRef: MODEL,
        approver: 'user:default/gina',
        binding,
        comment: 'looked at run 7',
        now: T0,
      });
      expect(approval).toMatchObject({
        subject: 'promotion',
        subjectId: 1,
        approver: 'user:default/gina',
        runId: 7,
        approvedAt: T0.toISOString(),
      });
      await store.approvals.invalidate(
        [{ id: approval.id, reason: 'the gauntlet re-ran (run 8)' }],
        at(5),
      );
      // A second invalidation keeps the first reason and time.
      await store.approvals.invalidate(
        [{ id: approval.id, reason: 'other' }],
        at(6),
      );
      expect(await store.approvals.list(MODEL)).toEqual([
        expect.objectContaining({
          id: approval.id,
          invalidatedAt: at(5).toISOString(),
          invalidatedReason: 'the gauntlet re-ran (run 8)',
        }),
      ]);
    });

    it('reports effective tier changes', async () => {
      const tier = {
        entityRef: MODEL,
        requestedTier: 'official' as const,
        effectiveTier: 'community' as const,
        version: '1.0.0',
        reason: 'requested official; fairness failed',
      };
      expect((await store.setTier(tier, T0)).changed).toBe(true);
      expect(
        (await store.setTier({ ...tier, reason: 'other words' }, at(1)))
          .changed,
      ).toBe(false);
      const change = await store.setTier(
        { ...tier, effectiveTier: null },
        at(2),
      );
      expect(change.changed).toBe(true);
      expect(change.previous?.effectiveTier).toBe('community');
      expect(await store.getTier(MODEL)).toMatchObject({ effectiveTier: null });
    });
  },
);
