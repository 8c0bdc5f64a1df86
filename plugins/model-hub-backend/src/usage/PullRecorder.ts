import {
  AuthService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { IncomingHttpHeaders } from 'node:http';
import { ServicePrincipalGrant } from '../tokens/servicePrincipals';
import { groupsOf, ownerOf } from './catalogUsage';
import { classifyClient } from './clients';
import { FirstConsumer, PullEvent } from './PullWrites';
import { UsageStore } from './UsageStore';

/** One file download, as the download routes report it. */
export interface FileDownload {
  credentials: BackstageCredentials;
  /** Lower-case model ref. */
  entityRef: string;
  /** The resolved version (never an alias). */
  version: string;
  headers: IncomingHttpHeaders;
}

/** What {@link PullRecorder} needs. */
export interface PullRecorderOptions {
  store: UsageStore;
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
  grants: ServicePrincipalGrant[];
  /** Downloads of one version by one principal within this window are one pull. */
  pullWindowMinutes: number;
  /** Called with the teams that consumed a model for the first time. */
  onFirstConsumers?: (firsts: FirstConsumer[]) => Promise<void>;
  clock?: () => Date;
}

const CACHE_MS = 60_000;

/**
 * Turns file downloads into pull events. A pull is the first file download
 * (GET, any byte range) of a version by a principal; more downloads of that
 * version by the same principal within `pullWindowMinutes` (the other files,
 * parallel parts, resumed ranges) belong to the same pull. The check is
 * atomic within a replica (a synchronous claim before any await) and looks
 * at stored events for downloads another replica recorded.
 *
 * The puller's team is the model's owner when the user is a member of it
 * (so owners pulling their own model are not cross-team reuse), else the
 * first of the user's groups; a service principal counts for the first team
 * of its grant. Recording never fails a download: errors are logged.
 */
export class PullRecorder {
  readonly #o: PullRecorderOptions;
  readonly #claims = new Map<string, number>();
  readonly #entities = new Map<
    string,
    { at: number; value: Promise<{ owner?: string; groups: string[] }> }
  >();

  constructor(options: PullRecorderOptions) {
    this.#o = options;
  }

  /** Records the download; resolves to whether it counted as a new pull. */
  async record(download: FileDownload): Promise<'pull' | 'same-pull'> {
    const now = (this.#o.clock ?? (() => new Date()))();
    const { principal } = download.credentials as BackstageCredentials<{
      type: string;
      userEntityRef?: string;
      subject?: string;
    }>;
    const actor =
      principal.type === 'user'
        ? principal.userEntityRef!.toLocaleLowerCase('en-US')
        : principal.subject ?? 'unknown';
    const key = `${actor}\n${download.entityRef}\n${download.version}`;
    const windowMs = this.#o.pullWindowMinutes * 60_000;
    const claimed = this.#claims.get(key);
    if (claimed !== undefined && now.getTime() - claimed < windowMs) {
      return 'same-pull';
    }
    this.#claims.set(key, now.getTime());
    this.#prune(now.getTime(), windowMs);
    try {
      const since = new Date(now.getTime() - windowMs);
      if (
        await this.#o.store.pulledSince(
          download.entityRef,
          actor,
          download.version,
          since,
        )
      ) {
        return 'same-pull';
      }
      const owner = (await this.#entity(download.entityRef)).owner ?? '';
      const event: PullEvent = {
        entityRef: download.entityRef,
        version: download.version,
        owner,
        actor,
        actorTeam: await this.#teamOf(principal, actor, owner),
        client: classifyClient(download.headers),
        pulledAt: now,
      };
      const firsts = await this.#o.store.recordPulls([event]);
      if (firsts.length > 0 && this.#o.onFirstConsumers) {
        await this.#o.onFirstConsumers(firsts);
      }
      return 'pull';
    } catch (error) {
      // A failed record may be retried by the next download.
      this.#claims.delete(key);
      this.#o.logger.warn(
        `Could not record the pull of ${download.entityRef}@${download.version} by ${actor}: ${error}`,
      );
      return 'same-pull';
    }
  }

  async #teamOf(
    principal: { type: string; subject?: string },
    actor: string,
    owner: string,
  ): Promise<string> {
    if (principal.type !== 'user') {
      const grant = this.#o.grants.find(g => g.subject === principal.subject);
      return grant?.teams.includes(owner) ? owner : grant?.teams[0] ?? '';
    }
    const { groups } = await this.#entity(actor);
    return groups.includes(owner) ? owner : groups[0] ?? '';
  }

  /** A model's owner or a user's groups, read as the hub and cached for a minute. */
  #entity(ref: string) {
    const cached = this.#entities.get(ref);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.value;
    const value = (async () => {
      const entity = await this.#o.catalog.getEntityByRef(ref, {
        credentials: await this.#o.auth.getOwnServiceCredentials(),
      });
      return {
        owner: entity ? ownerOf(entity) : undefined,
        groups: entity ? groupsOf(entity) : [],
      };
    })();
    value.catch(() => this.#entities.delete(ref));
    this.#entities.set(ref, { at: Date.now(), value });
    return value;
  }

  #prune(now: number, windowMs: number) {
    if (this.#claims.size < 10_000) return;
    for (const [k, t] of this.#claims) {
      if (now - t >= windowMs) this.#claims.delete(k);
    }
  }
}
