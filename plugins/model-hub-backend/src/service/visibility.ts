import {
  AuthService,
  BackstageCredentials,
  BackstageUserPrincipal,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';

/** What {@link CatalogVisibility} needs. */
export interface CatalogVisibilityOptions {
  catalog: CatalogService;
  /** For the hub's own credentials: tells hidden entities from absent ones. */
  auth: AuthService;
  /**
   * Resolves a user's ownership refs (their groups) for items the catalog
   * does not hold (yet); without it only the user's own ref counts.
   */
  userInfo?: UserInfoService;
}

/** How {@link CatalogVisibility.filter} reads an item. */
export interface VisibilityFilterOptions<T> {
  credentials: BackstageCredentials;
  /** The catalog entity the item is about (any case). */
  refOf: (item: T) => string;
  /**
   * Who may see an item whose entity is absent from the catalog (e.g. a
   * model registered moments ago that the catalog has not read yet): user
   * or group refs matched against the caller's ownership refs. Items whose
   * entity is absent are hidden from users when this is not given.
   */
  absentVisibleTo?: (item: T) => Array<string | undefined>;
}

const FIELDS = ['kind', 'metadata.namespace', 'metadata.name'];

const lower = (ref: string) => ref.toLocaleLowerCase('en-US');

/**
 * Filters hub lists by the catalog's read permission for the caller: an
 * item is listed only when the caller may read the entity it is about.
 * The catalog applies its permission policy (including conditional
 * decisions such as "owned by a group the user is in") in one batched
 * query per list, never one per item. A second batched query, as the hub,
 * tells entities the policy hides (dropped) from entities the catalog does
 * not hold (dropped unless `absentVisibleTo` names the caller).
 *
 * Services are not filtered: the permission framework does not apply the
 * policy to service principals, and the catalog's own providers must read
 * models the catalog does not hold yet.
 */
export class CatalogVisibility {
  readonly #options: CatalogVisibilityOptions;

  constructor(options: CatalogVisibilityOptions) {
    this.#options = options;
  }

  /** The items the caller may see, in their order. */
  async filter<T>(
    items: readonly T[],
    options: VisibilityFilterOptions<T>,
  ): Promise<T[]> {
    const { credentials } = options;
    if (items.length === 0) return [];
    const { auth } = this.#options;
    if (!auth.isPrincipal(credentials, 'user')) return [...items];

    const refs = [...new Set(items.map(i => lower(options.refOf(i))))];
    const readable = await this.#existing(refs, credentials);
    const unreadable = refs.filter(r => !readable.has(r));
    let absent = new Set<string>();
    if (unreadable.length > 0) {
      const existing = await this.#existing(
        unreadable,
        await auth.getOwnServiceCredentials(),
      );
      absent = new Set(unreadable.filter(r => !existing.has(r)));
    }
    let claims: Set<string> | undefined;
    const out: T[] = [];
    for (const item of items) {
      const ref = lower(options.refOf(item));
      if (readable.has(ref)) {
        out.push(item);
      } else if (absent.has(ref) && options.absentVisibleTo) {
        claims ??= await this.#claims(credentials);
        const mine = claims;
        const allowed = options.absentVisibleTo(item);
        if (allowed.some(a => a !== undefined && mine.has(lower(a)))) {
          out.push(item);
        }
      }
    }
    return out;
  }

  /** True when the caller may see the item (for single-item routes). */
  async isVisible<T>(
    item: T,
    options: VisibilityFilterOptions<T>,
  ): Promise<boolean> {
    return (await this.filter([item], options)).length === 1;
  }

  /** The refs among `refs` that the catalog returns for `credentials`. */
  async #existing(
    refs: string[],
    credentials: BackstageCredentials,
  ): Promise<Set<string>> {
    const { items } = await this.#options.catalog.getEntitiesByRefs(
      { entityRefs: refs, fields: FIELDS },
      { credentials },
    );
    return new Set(refs.filter((_, i) => items[i]));
  }

  async #claims(
    credentials: BackstageCredentials<BackstageUserPrincipal>,
  ): Promise<Set<string>> {
    const own = credentials.principal.userEntityRef;
    if (!this.#options.userInfo) return new Set([lower(own)]);
    const info = await this.#options.userInfo.getUserInfo(credentials);
    return new Set([own, ...info.ownershipEntityRefs].map(lower));
  }
}
