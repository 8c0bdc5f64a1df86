/*
 * Two backend processes on one PostgreSQL database and one S3-protocol
 * server (s3rver). A client alternating between them runs concurrent
 * publishes (draft on one replica, files on the other, seal on the first),
 * the same version published from both sides at once (identical bytes,
 * different bytes, different publishers) and pulls, while one replica is
 * SIGKILLed and restarted mid-way. At the end: every acknowledged version
 * is sealed once with the acknowledged bytes (hashed from S3), no version
 * is half-sealed, every gauntlet run ran exactly once, and every cluster-wide
 * scheduled task ran on one replica at a time, once per period.
 *
 * CI runs 40 operations; `npm run test:replicas -- --ops 200` the full load
 * (MODEL_HUB_REPLICAS_OPS).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  MODEL_HUB_SHA256_HEADER,
  modelHubApiPaths,
} from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import { artifactKey } from '../artifacts/ArtifactStore';
import {
  ReplicaCluster,
  ReplicasUnavailableError,
} from '../__testUtils__/replicaCluster';
import { startTestS3Server, TestS3Server } from '../__testUtils__/s3';
import {
  childPostgresConfig,
  waitFor,
} from '../__testUtils__/spawnKillableBackend';
import { TaskRunStore } from '../scheduling';
import { VersionStore } from '../versions/VersionStore';

const OPS = Number(process.env.MODEL_HUB_REPLICAS_OPS ?? 40);
const CONCURRENCY = 6;
const LEASE_SECONDS = 2;
/** Period of the cluster-wide tasks in this test (the gauntlet recovery runs every LEASE_SECONDS / 2). */
const PERIOD_SECONDS = 5;
const TASK_TIMEOUT_SECONDS = 30;
const MODELS = 4;

// Generous: on a loaded 2-core machine each replica's start (which
// compiles the backend) can take a minute, and the waits below add up to
// three; a jest timeout reports nothing of what was observed.
jest.setTimeout(Math.max(600_000, OPS * 5_000));

const alice = mockCredentials.user.header('user:default/alice');
const bob = mockCredentials.user.header('user:default/bob');
const modelRef = (i: number) => `model:default/replica-${i % MODELS}`;

const entities: Entity[] = Array.from({ length: MODELS }, (_, i) => ({
  apiVersion: 'modelhub.io/v1alpha1',
  kind: 'Model',
  metadata: { name: `replica-${i}`, namespace: 'default' },
  spec: {
    type: 'classifier',
    owner: 'group:default/ml-team',
    lifecycle: 'production',
    tier: 'community',
  },
}));

const sha256 = (bytes: Buffer) =>
  createHash('sha256').update(bytes).digest('hex');

/** A small deterministic PRNG (mulberry32), so a failing load can be replayed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Files = Record<string, Buffer>;
type Outcome = 'acked' | 'refused' | 'unavailable';

interface Ack {
  entityRef: string;
  version: string;
  files: Record<string, string>;
}

/** Everything the load observed. */
class Observations {
  readonly acks: Ack[] = [];
  readonly violations: string[] = [];
  refused = 0;
  unavailable = 0;
  pulls = 0;
  /** When each replica was killed, for a failure's report. */
  readonly kills: string[] = [];
}

const manifestOf = (files: Files) =>
  Object.entries(files).map(([p, bytes]) => ({
    path: p,
    sha256: sha256(bytes),
    size: bytes.length,
  }));

const sameFiles = (a: Record<string, string>, b: Record<string, string>) =>
  JSON.stringify(Object.entries(a).sort()) ===
  JSON.stringify(Object.entries(b).sort());

const filesOf = (version: {
  files?: Array<{ path: string; sha256: string }>;
}) => Object.fromEntries((version.files ?? []).map(f => [f.path, f.sha256]));

/**
 * Publishes through the cluster: draft on `home`, each file on the next
 * replica in turn, seal on `home` (retrying a seal that another request is
 * finishing). A 4xx ends the publish as cleanly refused; a 5xx or an
 * acknowledgement of other bytes is a violation.
 */
async function publish(
  cluster: ReplicaCluster,
  seen: Observations,
  options: {
    auth: string;
    entityRef: string;
    version: string;
    files: Files;
    home: number;
  },
): Promise<Outcome> {
  const { auth, entityRef, version, files, home } = options;
  const label = `${entityRef}@${version} from replica ${home}`;
  const manifest = manifestOf(files);
  const expected = Object.fromEntries(manifest.map(f => [f.path, f.sha256]));
  const refusedOrViolation = (step: string, status: number, body: any) => {
    if (status >= 500) {
      seen.violations.push(
        `${label}: ${step} answered ${status}: ${JSON.stringify(body)}`,
      );
    }
    return 'refused' as const;
  };
  const acknowledge = (body: any): Outcome => {
    if (body?.state !== 'sealed' || !sameFiles(filesOf(body), expected)) {
      seen.violations.push(
        `${label}: acknowledged other files or state: ${JSON.stringify(body)}`,
      );
      return 'refused';
    }
    seen.acks.push({ entityRef, version, files: expected });
    return 'acked';
  };
  try {
    const draft = await cluster.request(
      home,
      'POST',
      modelHubApiPaths.versions(entityRef),
      { auth, json: { version, files: manifest } },
    );
    if (draft.status !== 200 && draft.status !== 201) {
      return refusedOrViolation('draft', draft.status, draft.body);
    }
    // An identical re-publish of a version already sealed is acknowledged.
    if (draft.body.state === 'sealed') return acknowledge(draft.body);
    let next = home + 1;
    for (const [filePath, bytes] of Object.entries(files)) {
      const upload = await cluster.request(
        next++ % cluster.size,
        'PUT',
        modelHubApiPaths.file(entityRef, version, filePath),
        {
          auth,
          body: bytes,
          headers: { [MODEL_HUB_SHA256_HEADER]: sha256(bytes) },
        },
      );
      if (upload.status !== 201) {
        return refusedOrViolation(
          `upload ${filePath}`,
          upload.status,
          upload.body,
        );
      }
    }
    for (let attempt = 0; ; attempt++) {
      const seal = await cluster.request(
        home,
        'POST',
        modelHubApiPaths.seal(entityRef, version),
        { auth, json: { files: manifest } },
      );
      if (seal.status === 200) return acknowledge(seal.body);
      const finishing =
        seal.status === 409 && /being sealed/.test(seal.body?.error?.message);
      if (!finishing || attempt >= 10) {
        return refusedOrViolation('seal', seal.status, seal.body);
      }
      await new Promise(r => setTimeout(r, 200));
    }
  } catch (error) {
    if (error instanceof ReplicasUnavailableError) return 'unavailable';
    throw error;
  }
}

/** Pulls a file of an acknowledged version from `replica` and checks its hash. */
async function pull(
  cluster: ReplicaCluster,
  seen: Observations,
  ack: Ack,
  replica: number,
) {
  const [filePath, expected] = Object.entries(ack.files)[0];
  try {
    const res = await cluster.request(
      replica,
      'GET',
      modelHubApiPaths.file(ack.entityRef, ack.version, filePath),
      { auth: alice },
    );
    seen.pulls += 1;
    if (res.status !== 200 || sha256(res.bytes) !== expected) {
      seen.violations.push(
        `pull ${ack.entityRef}@${ack.version}/${filePath} from replica ${
          res.replica
        }: ${res.status}, sha256 ${sha256(res.bytes)} instead of ${expected}`,
      );
    }
  } catch (error) {
    if (!(error instanceof ReplicasUnavailableError)) throw error;
    seen.unavailable += 1;
  }
}

/** Runs `count` operations, `CONCURRENCY` at a time, killing replicas at `killAt`. */
async function runLoad(
  cluster: ReplicaCluster,
  seen: Observations,
  count: number,
  killAt: number[],
) {
  const random = prng(18);
  const shared = Buffer.alloc(8 * 1024, 'shared weights ');
  const randomFile = () => {
    const bytes = Buffer.alloc(1024 + Math.floor(random() * 47 * 1024));
    for (let i = 0; i < bytes.length; i++) {
      bytes[i] = Math.floor(random() * 256);
    }
    return bytes;
  };
  const filesFor = (): Files => ({
    'model.bin': randomFile(),
    ...(random() < 0.4 ? { 'shared.bin': shared } : {}),
    ...(random() < 0.3 ? { 'config/params.json': randomFile() } : {}),
  });
  // The operations are drawn up front, so the same seed gives the same load.
  const ops = Array.from({ length: count }, (_, i) => {
    const roll = random();
    const entityRef = modelRef(i);
    const home = i % 2;
    if (roll < 0.45) {
      const files = filesFor();
      return () =>
        publish(cluster, seen, {
          auth: alice,
          entityRef,
          version: `1.${i}.0`,
          files,
          home,
        });
    }
    if (roll < 0.75) {
      // The same version from both sides at once: identical bytes, other
      // bytes, or another publisher.
      let kind = 'rival';
      if (roll < 0.6) kind = 'same';
      else if (roll < 0.7) kind = 'other-bytes';
      const version = `2.${i}.0`;
      const first = filesFor();
      const second = kind === 'same' ? first : filesFor();
      return () =>
        Promise.all([
          publish(cluster, seen, {
            auth: alice,
            entityRef,
            version,
            files: first,
            home: 0,
          }),
          publish(cluster, seen, {
            auth: kind === 'rival' ? bob : alice,
            entityRef,
            version,
            files: second,
            home: 1,
          }),
        ]);
    }
    return async () => {
      const done = seen.acks.slice(-8);
      const ack = done[Math.floor(random() * done.length)];
      // The same file pulled from both replicas at once.
      if (ack)
        await Promise.all([
          pull(cluster, seen, ack, 0),
          pull(cluster, seen, ack, 1),
        ]);
    };
  });
  let next = 0;
  let started = 0;
  const kills = [...killAt];
  const worker = async () => {
    while (next < ops.length) {
      const op = ops[next++];
      started += 1;
      if (kills.length > 0 && started >= kills[0]) {
        kills.shift();
        // Alternate which replica dies; it restarts in the background.
        const victim = cluster.kills % cluster.size;
        seen.kills.push(`replica ${victim} at ${new Date().toISOString()}`);
        await cluster.killAndRestart(victim);
      }
      const outcomes = [await op()].flat();
      for (const outcome of outcomes) {
        if (outcome === 'refused') seen.refused += 1;
        if (outcome === 'unavailable') seen.unavailable += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** Reads an object from S3 and returns its SHA-256 and size. */
async function hashFromS3(s3: S3Client, bucket: string, sha: string) {
  const object = await s3.send(
    new GetObjectCommand({ Bucket: bucket, Key: artifactKey(sha) }),
  );
  const bytes = Buffer.from(await object.Body!.transformToByteArray());
  return { sha256: sha256(bytes), size: bytes.length };
}

describe('two replicas on one PostgreSQL database and one S3 server', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_16'] });

  it.each(databases.eachSupportedId())(
    'keep every acknowledged publish, gauntlet run and scheduled task exactly once (%s)',
    async databaseId => {
      const knex: Knex = await databases.init(databaseId);
      const dir = await fs.mkdtemp(
        path.join(os.tmpdir(), 'model-hub-replicas-'),
      );
      // The gauntlet's hold check passes at once (it only records its runs).
      await fs.writeFile(path.join(dir, 'release'), '');
      let s3server: TestS3Server | undefined;
      let cluster: ReplicaCluster | undefined;
      const schedule = {
        initialDelay: { seconds: 1 },
        frequency: { seconds: PERIOD_SECONDS },
        timeout: { seconds: TASK_TIMEOUT_SECONDS },
      };
      try {
        s3server = await startTestS3Server('model-hub-replicas');
        const startedAt = Date.now();
        cluster = await ReplicaCluster.start(2, {
          database: await childPostgresConfig(knex),
          dir,
          leaseSeconds: LEASE_SECONDS,
          entities,
          modelHub: {
            artifacts: {
              s3: {
                bucket: s3server.bucket,
                endpoint: s3server.endpoint,
                region: 'us-east-1',
                forcePathStyle: true,
                ...s3server.credentials,
              },
            },
            stewardship: { enabled: true, schedule },
            gauntlet: { schedule },
            scanner: { rescan: { schedule } },
            transfers: { collectEvery: { seconds: PERIOD_SECONDS } },
          },
        });
        const seen = new Observations();
        const kills = OPS > 60 ? [0.3, 0.65] : [0.4];
        await runLoad(
          cluster,
          seen,
          OPS,
          kills.map(k => Math.floor(OPS * k)),
        );
        await cluster.settled();
        const loadMs = Date.now() - startedAt;

        // A seal whose replica was killed mid-way stays `sealing` (never
        // visible) until the artifact GC returns it to draft, 10 minutes
        // later: run that reset now, as the GC would then, so the checks
        // below see the state the cluster recovers to.
        const staleSeals = await (
          await VersionStore.create({
            database: {
              getClient: async () => knex,
              migrations: { skip: true },
            },
          })
        ).resetStaleSeals(new Date(Date.now() + 1000));

        // Every acknowledged version: sealed, with the acknowledged files.
        const rows = await knex('model_versions').whereIn(
          'entity_ref',
          entities.map((_, i) => modelRef(i)),
        );
        const files = await knex('model_version_files').whereIn(
          'version_id',
          rows.map(r => r.id),
        );
        const filesByVersion = new Map<number, Record<string, string>>();
        for (const f of files) {
          filesByVersion.set(f.version_id, {
            ...filesByVersion.get(f.version_id),
            [f.path]: f.sha256,
          });
        }
        const rowOf = (ref: string, version: string) =>
          rows.filter(r => r.entity_ref === ref && r.version === version);
        for (const ack of seen.acks) {
          const matching = rowOf(ack.entityRef, ack.version);
          if (
            matching.length !== 1 ||
            matching[0].state !== 'sealed' ||
            !sameFiles(filesByVersion.get(matching[0].id) ?? {}, ack.files)
          ) {
            seen.violations.push(
              `acknowledged ${ack.entityRef}@${ack.version} is ${JSON.stringify(
                matching.map(m => [m.state, filesByVersion.get(m.id)]),
              )}`,
            );
          }
        }
        // No version half-sealed; every sealed file's bytes are in S3.
        const s3 = new S3Client({
          endpoint: s3server.endpoint,
          region: 'us-east-1',
          forcePathStyle: true,
          credentials: s3server.credentials,
        });
        for (const row of rows) {
          const label = `${row.entity_ref}@${row.version}`;
          if (row.state !== 'sealed' && row.state !== 'draft') {
            seen.violations.push(`${label} is left ${row.state}`);
          }
          if (row.state !== 'sealed') continue;
          const stored = files.filter(f => f.version_id === row.id);
          const declared = row.manifest
            ? Object.fromEntries(
                JSON.parse(row.manifest).map((m: any) => [m.path, m.sha256]),
              )
            : undefined;
          if (
            stored.length === 0 ||
            (declared && !sameFiles(declared, filesByVersion.get(row.id)!))
          ) {
            seen.violations.push(
              `${label} is sealed without its manifest's files`,
            );
          }
          for (const f of stored) {
            const inS3 = await hashFromS3(s3, s3server.bucket, f.sha256);
            if (inS3.sha256 !== f.sha256 || inS3.size !== Number(f.size)) {
              seen.violations.push(
                `${label}/${f.path}: S3 holds ${inS3.size} bytes hashing to ${inS3.sha256}, not ${f.sha256}`,
              );
            }
          }
        }
        s3.destroy();

        // Every sealed version's gauntlet run finished, exactly once.
        const sealed = rows.filter(r => r.state === 'sealed');
        const allRuns = () =>
          knex('gauntlet_runs').whereIn(
            'entity_ref',
            entities.map((_, i) => modelRef(i)),
          );
        const runs = await waitFor(
          'the gauntlet to finish every sealed version',
          async () => {
            const all = await allRuns();
            const open = all.filter(
              r => r.status === 'queued' || r.status === 'running',
            );
            const finished = new Set(
              all
                .filter(r => r.status === 'completed')
                .map(r => `${r.entity_ref}@${r.version}`),
            );
            return open.length === 0 &&
              sealed.every(r => finished.has(`${r.entity_ref}@${r.version}`))
              ? all
              : undefined;
          },
          120_000,
        ).catch(async () => {
          // Report what is missing (below, per version) instead of a bare timeout.
          seen.violations.push(
            'the gauntlet did not finish every sealed version within 120 s',
          );
          return allRuns();
        });
        const checkRuns = (
          await fs.readFile(path.join(dir, 'check-runs'), 'utf8')
        )
          .trim()
          .split('\n')
          .map(line => line.split(' ').slice(1).join(' '));
        for (const row of sealed) {
          const ofVersion = runs.filter(
            r => r.entity_ref === row.entity_ref && r.version === row.version,
          );
          const label = `${row.entity_ref}@${row.version}`;
          if (ofVersion.length !== 1) {
            seen.violations.push(
              `${label} (sealed ${new Date(row.sealed_at).toISOString()}, ${
                seen.acks.some(
                  a =>
                    a.entityRef === row.entity_ref && a.version === row.version,
                )
                  ? 'acknowledged'
                  : 'not acknowledged'
              }) has ${ofVersion.length} gauntlet runs: ${JSON.stringify(
                ofVersion.map(r => [r.id, r.trigger, r.status, r.attempts]),
              )}`,
            );
            continue;
          }
          const [run] = ofVersion;
          const results = await knex('gauntlet_results').where({
            run_id: run.id,
          });
          const checkIds = results.map(r => r.check_id);
          if (
            new Set(checkIds).size !== checkIds.length ||
            !checkIds.includes('hold')
          ) {
            seen.violations.push(
              `${label}: run ${run.id} has results ${checkIds}`,
            );
          }
          // The check ran once per attempt at most (a killed attempt may
          // have run it before dying), and at least once.
          const executions = checkRuns.filter(
            l => l === `${row.entity_ref} ${row.version} ${run.tier}`,
          ).length;
          if (executions < 1 || executions > Number(run.attempts)) {
            seen.violations.push(
              `${label}: the hold check ran ${executions} times in ${run.attempts} attempt(s)`,
            );
          }
        }

        // Cluster-wide tasks: one replica at a time, once per period.
        const periodOf: Record<string, number> = {
          // model-hub-gauntlet-recovery runs on every replica (local):
          // its effect is checked above (each run executed once per attempt).
          'model-hub-gauntlet-refresh': PERIOD_SECONDS,
          'model-hub-rescan': PERIOD_SECONDS,
          'model-hub-collect-abandoned-uploads': PERIOD_SECONDS,
          'model-hub-artifact-gc': 60,
          // Also triggered by every seal: overlaps are checked, not counts.
          'model-hub-stewardship': 0,
        };
        // The load can end before a task's first period has passed (its
        // initial delay is one period): wait until each task has run once.
        const taskRunStore = await TaskRunStore.create({
          database: {
            getClient: async () => knex,
            migrations: { skip: true },
          },
        });
        const taskRuns = await waitFor(
          'every cluster-wide task to run at least once',
          async () => {
            const list = await taskRunStore.list();
            const ran = new Set(list.map(r => r.taskId));
            return Object.keys(periodOf).every(id => ran.has(id))
              ? list
              : undefined;
          },
          60_000,
        ).catch(async () => taskRunStore.list());
        const endedAt = Date.now();
        const byTask = new Map<string, typeof taskRuns>();
        for (const run of taskRuns) {
          byTask.set(run.taskId, [...(byTask.get(run.taskId) ?? []), run]);
        }
        for (const [taskId, period] of Object.entries(periodOf)) {
          const list = byTask.get(taskId) ?? [];
          if (list.length === 0) {
            // The scheduler's own row tells a lock held by a killed replica
            // (current_run_expires_at ahead) from a task never claimed.
            const state = await knex('backstage_backend_tasks__tasks')
              .where({ id: taskId })
              .first()
              .catch(e => `unreadable: ${e}`);
            seen.violations.push(
              `${taskId} never ran; scheduler row ${JSON.stringify(
                state ?? null,
              )}; kills ${JSON.stringify(seen.kills)}`,
            );
            continue;
          }
          for (let i = 1; i < list.length; i++) {
            const previous = list[i - 1];
            if (
              previous.finishedAt &&
              Date.parse(list[i].startedAt) < Date.parse(previous.finishedAt)
            ) {
              seen.violations.push(
                `${taskId} ran on ${list[i].replica} at ${list[i].startedAt} while ${previous.replica} still ran it`,
              );
            }
          }
          const seconds = (endedAt - startedAt) / 1000;
          if (period > 0 && list.length > Math.ceil(seconds / period) + 1) {
            seen.violations.push(
              `${taskId} ran ${list.length} times in ${Math.round(
                seconds,
              )} s (period ${period} s)`,
            );
          }
        }

        const report = {
          ops: OPS,
          durationMs: loadMs,
          kills: cluster.kills,
          failovers: cluster.failovers,
          acknowledged: seen.acks.length,
          refused: seen.refused,
          unavailable: seen.unavailable,
          pulls: seen.pulls,
          versions: rows.length,
          sealed: sealed.length,
          gauntletRuns: runs.length,
          retriedRuns: runs.filter(r => Number(r.attempts) > 1).length,
          staleSealsReset: staleSeals,
          taskRuns: Object.fromEntries(
            [...byTask].map(([id, list]) => [id, list.length]),
          ),
          killed: seen.kills,
          violations: seen.violations.length,
        };
        process.stdout.write(`two-replica load: ${JSON.stringify(report)}\n`);
        if (seen.violations.length > 0) {
          process.stdout.write(
            `violations:\n${seen.violations.join(
              '\n',
            )}\nreplica errors:\n${cluster.errorLines().join('\n')}\n`,
          );
        }
        expect(seen.violations).toEqual([]);
        expect(seen.acks.length).toBeGreaterThan(OPS / 4);
        expect(cluster.kills).toBe(kills.length);
      } finally {
        await cluster?.stop();
        await s3server?.stop();
        await fs.rm(dir, { recursive: true, force: true });
      }
    },
  );
});
