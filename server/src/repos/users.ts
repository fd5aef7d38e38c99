import type { Db, UserRow } from '../db/database';
import { nowIso } from '../db/database';
import { hashToken, newToken, sameDigest } from '../domain/tokens';

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

export async function findUserByToken(
  db: Db,
  token: string
): Promise<UserRow | undefined> {
  const digest = hashToken(token);
  const row = await db
    .selectFrom('tokens')
    .innerJoin('users', 'users.id', 'tokens.user_id')
    .select([
      'users.id',
      'users.username',
      'users.is_admin',
      'users.created_at',
      'tokens.token_hash'
    ])
    .where('tokens.token_hash', '=', digest)
    .executeTakeFirst();
  // The index lookup already matched; the constant-time check keeps the comparison itself timing-safe.
  if (!row || !sameDigest(row.token_hash, digest)) {
    return undefined;
  }
  return {
    id: row.id,
    username: row.username,
    is_admin: row.is_admin,
    created_at: row.created_at
  };
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

/** Issues a token; the plain value is returned once and never stored. */
export async function createToken(
  db: Db,
  userId: number,
  name: string,
  plain: string = newToken()
): Promise<string> {
  await db
    .insertInto('tokens')
    .values({
      user_id: userId,
      name,
      token_hash: hashToken(plain),
      created_at: nowIso()
    })
    .execute();
  return plain;
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
