import { KillableBackendOptions } from './killableBackend';
import {
  killBackend,
  spawnKillableBackend,
  SpawnedBackend,
  stopBackend,
} from './spawnKillableBackend';

/** An HTTP answer from one replica. */
export interface ReplicaResponse {
  status: number;
  body: any;
  bytes: Buffer;
  /** Index of the replica that answered. */
  replica: number;
}

/** Thrown when no replica answered (both down, or connections reset). */
export class ReplicasUnavailableError extends Error {}

/**
 * Two (or more) backend processes on one database, and a client that sends
 * each request to the replica it is asked for, falling over to the next one
 * when the connection fails, as a load balancer with health checks would.
 * Replicas can be SIGKILLed and restarted while requests run.
 */
export class ReplicaCluster {
  readonly #backends: Array<SpawnedBackend | undefined>;
  readonly #starting: Array<Promise<void> | undefined> = [];
  readonly #options: KillableBackendOptions;
  readonly #all: SpawnedBackend[] = [];
  /** Requests that failed over to another replica. */
  failovers = 0;
  /** Replicas SIGKILLed so far. */
  kills = 0;

  /** Starts `count` replicas with the same options (database, config). */
  static async start(
    count: number,
    options: KillableBackendOptions,
  ): Promise<ReplicaCluster> {
    // One after the other: Backstage's scheduler migrates its own tables
    // with plain knex, which races on an empty database (see README,
    // "Running several replicas"); the hub's migrations do not.
    const backends: SpawnedBackend[] = [];
    try {
      for (let i = 0; i < count; i++) {
        backends.push(await spawnKillableBackend(options));
      }
    } catch (error) {
      await Promise.all(backends.map(stopBackend));
      throw error;
    }
    return new ReplicaCluster(backends, options);
  }

  private constructor(
    backends: SpawnedBackend[],
    options: KillableBackendOptions,
  ) {
    this.#backends = backends;
    this.#options = options;
    this.#all.push(...backends);
  }

  get size(): number {
    return this.#backends.length;
  }

  /** SIGKILLs replica `index`, then starts a new process in its place (in the background). */
  async killAndRestart(index: number): Promise<void> {
    const backend = this.#backends[index];
    if (!backend) return;
    this.#backends[index] = undefined;
    await killBackend(backend);
    this.kills += 1;
    this.#starting[index] = spawnKillableBackend(this.#options).then(b => {
      this.#backends[index] = b;
      this.#all.push(b);
    });
  }

  /** Waits until every restarting replica is up again. */
  async settled(): Promise<void> {
    await Promise.all(this.#starting);
  }

  /** Sends a request to replica `prefer`, failing over to the others. */
  async request(
    prefer: number,
    method: string,
    path: string,
    options: {
      auth: string;
      json?: unknown;
      body?: Buffer;
      headers?: Record<string, string>;
    },
  ): Promise<ReplicaResponse> {
    for (let i = 0; i < this.size; i++) {
      const index = (prefer + i) % this.size;
      const backend = this.#backends[index];
      if (!backend) {
        this.failovers += 1;
        continue;
      }
      let response: Response;
      let bytes: Buffer;
      try {
        response = await fetch(`${backend.url}/api/model-hub${path}`, {
          method,
          headers: {
            authorization: options.auth,
            ...(options.json !== undefined
              ? { 'content-type': 'application/json' }
              : {}),
            ...(options.body
              ? { 'content-type': 'application/octet-stream' }
              : {}),
            ...options.headers,
          },
          body:
            options.json !== undefined
              ? JSON.stringify(options.json)
              : options.body,
        });
        bytes = Buffer.from(await response.arrayBuffer());
      } catch {
        // Connection refused or reset: the replica died under the request.
        this.failovers += 1;
        continue;
      }
      let body: unknown;
      try {
        body = JSON.parse(bytes.toString('utf8'));
      } catch {
        body = undefined;
      }
      return { status: response.status, body, bytes, replica: index };
    }
    throw new ReplicasUnavailableError(`no replica answered ${method} ${path}`);
  }

  /** Error lines every replica started so far logged, for a failure's report. */
  errorLines(): string[] {
    return this.#all.flatMap(b =>
      b
        .output()
        .split('\n')
        .filter(line => /"level":"error"|\berror\b/i.test(line))
        .slice(0, 20),
    );
  }

  /** Stops every replica. */
  async stop(): Promise<void> {
    await this.settled().catch(() => undefined);
    await Promise.all(
      this.#backends.map(b => (b ? stopBackend(b) : Promise.resolve())),
    );
  }
}
