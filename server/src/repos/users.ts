import type { Db, UserRow } from '../db/database';
import { nowIso } from '../db/database';
import {
  formatScopes,
  parseScopes,
  SCOPES,
  type Scope
} from '../domain/scopes';
import { hashToken, newToken, sameDigest } from '../domain/api-tokens';

export async function findUserByName(
  db: Db,
  username: string
): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('username', '=', username)
    .executeTakeFirst();
}

/** A token that matched, with what it may do. */
export interface TokenGrant {
  user: UserRow;
  tokenId: number;
  scopes: Scope[];
  expiresAt: string | null;
  lastUsedAt: string | null;
}

/**
 * Looks the token up in the database on every request: a revoked (deleted) or expired token
 * stops working at once in every process, with no cache to outlive the revocation.
 */
export async function findToken(
  db: Db,
  token: string
): Promise<TokenGrant | undefined> {
  const digest = hashToken(token);
  const row = await db
    .selectFrom('tokens')
    .innerJoin('users', 'users.id', 'tokens.user_id')
    .select([
      'users.id',
      'users.username',
      'users.is_admin',
      'users.created_at',
      'tokens.id as token_id',
      'tokens.token_hash',
      'tokens.scopes',
      'tokens.expires_at',
      'tokens.last_used_at'
    ])
    .where('tokens.token_hash', '=', digest)
    .executeTakeFirst();
  // The index lookup already matched; the constant-time check keeps the comparison itself timing-safe.
  if (!row || !sameDigest(row.token_hash, digest)) {
    return undefined;
  }
  return {
    user: {
      id: row.id,
      username: row.username,
      is_admin: row.is_admin,
      created_at: row.created_at
    },
    tokenId: row.token_id,
    scopes: parseScopes(row.scopes),
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at
  };
}

const LAST_USED_RESOLUTION_MS = 60_000;

/** Records use, at most once a minute per token so that reads stay reads. */
export async function noteTokenUse(db: Db, grant: TokenGrant): Promise<void> {
  const last = grant.lastUsedAt ? Date.parse(grant.lastUsedAt) : 0;
  if (Date.now() - last < LAST_USED_RESOLUTION_MS) {
    return;
  }
  await db
    .updateTable('tokens')
    .set({ last_used_at: nowIso() })
    .where('id', '=', grant.tokenId)
    .execute();
}

export async function createUser(
  db: Db,
  username: string,
  isAdmin = false
): Promise<UserRow> {
  return db
    .insertInto('users')
    .values({ username, is_admin: isAdmin ? 1 : 0, created_at: nowIso() })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface NewToken {
  /** The plain value (random when not given); returned once and never stored. */
  plain?: string;
  expiresAt?: string | null;
  scopes?: readonly Scope[];
}

/** Issues a token; the plain value is returned once and only its sha256 is stored. */
export async function createToken(
  db: Db,
  userId: number,
  name: string,
  opts: NewToken = {}
): Promise<{ id: number; token: string; created_at: string }> {
  const plain = opts.plain ?? newToken();
  const row = await db
    .insertInto('tokens')
    .values({
      user_id: userId,
      name,
      token_hash: hashToken(plain),
      created_at: nowIso(),
      expires_at: opts.expiresAt ?? null,
      last_used_at: null,
      scopes: formatScopes(opts.scopes ?? SCOPES)
    })
    .returning(['id', 'created_at'])
    .executeTakeFirstOrThrow();
  return { id: row.id, token: plain, created_at: row.created_at };
}

/** A user's tokens as the API shows them: never the secret, nor its hash. */
export async function listTokens(db: Db, userId: number) {
  const rows = await db
    .selectFrom('tokens')
    .select([
      'id',
      'name',
      'created_at',
      'last_used_at',
      'expires_at',
      'scopes'
    ])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
  return rows.map(r => ({ ...r, scopes: parseScopes(r.scopes) }));
}

/** Deletes the token: the next request with it is 401, in every process. False if none. */
export async function revokeToken(
  db: Db,
  userId: number,
  tokenId: number
): Promise<boolean> {
  const r = await db
    .deleteFrom('tokens')
    .where('user_id', '=', userId)
    .where('id', '=', tokenId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Revokes the user's tokens called `name` except the one whose value is `keep` (env token rotation). */
export async function revokeTokensNamed(
  db: Db,
  userId: number,
  name: string,
  keep: string
): Promise<number> {
  const r = await db
    .deleteFrom('tokens')
    .where('user_id', '=', userId)
    .where('name', '=', name)
    .where('token_hash', '!=', hashToken(keep))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function hasToken(db: Db, plain: string): Promise<boolean> {
  const row = await db
    .selectFrom('tokens')
    .select('id')
    .where('token_hash', '=', hashToken(plain))
    .executeTakeFirst();
  return !!row;
}

export async function countUsers(db: Db): Promise<number> {
  const r = await db
    .selectFrom('users')
    .select(eb => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
