import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  AccessTokenInfo,
  AccessTokenScope,
} from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import { toIso } from '../gauntlet/GauntletStore';
import { migrateModelHub } from '../database/migrate';

const TABLE = 'model_hub_access_tokens';

type Timestamp = Date | string | number;

interface TokenRow {
  id: string;
  owner: string;
  name: string;
  scopes: string;
  secret_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_by: string | null;
  last_used_at: Timestamp | null;
}

/** A stored token: what is listed plus the hash its secret must match. */
export interface StoredAccessToken extends AccessTokenInfo {
  secretHash: string;
}

/** Personal access tokens in the plugin's database (hashed secrets only). */
export class TokenStore {
  readonly #db: Knex;

  /** Runs the plugin's migrations (unless skipped or `migrate: false`) and opens the store. */
  static async create(options: {
    database: DatabaseService;
    migrate?: boolean;
  }): Promise<TokenStore> {
    const client = await options.database.getClient();
    if (options.migrate !== false && !options.database.migrations?.skip) {
      await migrateModelHub(client);
    }
    return new TokenStore(client);
  }

  private constructor(db: Knex) {
    this.#db = db;
  }

  /** Stores a new token. */
  async insert(token: {
    id: string;
    owner: string;
    name: string;
    scopes: AccessTokenScope[];
    secretHash: string;
    createdAt: Date;
    expiresAt: Date;
  }): Promise<void> {
    await this.#db<TokenRow>(TABLE).insert({
      id: token.id,
      owner: token.owner,
      name: token.name,
      scopes: JSON.stringify(token.scopes),
      secret_hash: token.secretHash,
      created_at: token.createdAt,
      expires_at: token.expiresAt,
      revoked_at: null,
      revoked_by: null,
      last_used_at: null,
    });
  }

  /** The token with this id, if any. */
  async get(id: string): Promise<StoredAccessToken | undefined> {
    const row = await this.#db<TokenRow>(TABLE).where({ id }).first();
    return row ? toToken(row) : undefined;
  }

  /** Tokens of `owner` (every owner when undefined), newest first. */
  async list(owner?: string): Promise<StoredAccessToken[]> {
    const query = this.#db<TokenRow>(TABLE).orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'asc' },
    ]);
    if (owner) {
      query.where({ owner });
    }
    return (await query).map(toToken);
  }

  /** Marks a token revoked; false when it was unknown or already revoked. */
  async revoke(id: string, revokedBy: string, now: Date): Promise<boolean> {
    const count = await this.#db<TokenRow>(TABLE)
      .where({ id })
      .whereNull('revoked_at')
      .update({ revoked_at: now, revoked_by: revokedBy });
    return count > 0;
  }

  /** Records a use of the token. */
  async touch(id: string, now: Date): Promise<void> {
    await this.#db<TokenRow>(TABLE).where({ id }).update({ last_used_at: now });
  }
}

function toToken(row: TokenRow): StoredAccessToken {
  return {
    id: row.id,
    owner: row.owner,
    name: row.name,
    scopes: JSON.parse(row.scopes),
    secretHash: row.secret_hash,
    createdAt: toIso(row.created_at),
    expiresAt: toIso(row.expires_at),
    ...(row.last_used_at ? { lastUsedAt: toIso(row.last_used_at) } : {}),
    ...(row.revoked_at ? { revokedAt: toIso(row.revoked_at) } : {}),
  };
}
