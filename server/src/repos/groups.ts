import type { Db, GroupRow } from '../db/database';
import { nowIso } from '../db/database';
import type { Role } from '../domain/roles';

export async function findGroup(
  db: Db,
  name: string
): Promise<GroupRow | undefined> {
  return db
    .selectFrom('groups')
    .selectAll()
    .where('name', '=', name)
    .executeTakeFirst();
}

export async function roleIn(
  db: Db,
  groupId: number,
  userId: number
): Promise<Role | null> {
  const row = await db
    .selectFrom('memberships')
    .select('role')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return (row?.role as Role | undefined) ?? null;
}

export async function createGroup(
  db: Db,
  name: string,
  visibility: string,
  ownerId: number
): Promise<GroupRow> {
  return db.transaction().execute(async trx => {
    const group = await trx
      .insertInto('groups')
      .values({ name, visibility, created_at: nowIso() })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('memberships')
      .values({
        group_id: group.id,
        user_id: ownerId,
        role: 'owner',
        created_at: nowIso()
      })
      .execute();
    return group;
  });
}

export async function setMember(
  db: Db,
  groupId: number,
  userId: number,
  role: Role
): Promise<void> {
  await db
    .insertInto('memberships')
    .values({ group_id: groupId, user_id: userId, role, created_at: nowIso() })
    .onConflict(oc => oc.columns(['group_id', 'user_id']).doUpdateSet({ role }))
    .execute();
}

export async function removeMember(
  db: Db,
  groupId: number,
  userId: number
): Promise<void> {
  await db
    .deleteFrom('memberships')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .execute();
}

export async function listMembers(db: Db, groupId: number) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.username', 'memberships.role', 'memberships.created_at'])
    .where('memberships.group_id', '=', groupId)
    .orderBy('users.username')
    .execute();
}

/** Groups the user belongs to; instance admins see every group as owner. */
export async function listGroupsFor(
  db: Db,
  user: { id: number; is_admin: number }
) {
  if (user.is_admin) {
    const rows = await db
      .selectFrom('groups')
      .selectAll()
      .orderBy('name')
      .execute();
    return rows.map(g => ({ ...g, role: 'owner' as Role }));
  }
  const rows = await db
    .selectFrom('groups')
    .innerJoin('memberships', 'memberships.group_id', 'groups.id')
    .selectAll('groups')
    .select('memberships.role')
    .where('memberships.user_id', '=', user.id)
    .orderBy('groups.name')
    .execute();
  return rows.map(g => ({ ...g, role: g.role as Role }));
}
