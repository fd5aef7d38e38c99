import type { Db } from '../db/database';
import { nowIso } from '../db/database';
import type { Role } from '../domain/roles';

/** Records (or re-records with the new role) the invitation of a user to a group. */
export async function invite(
  db: Db,
  groupId: number,
  userId: number,
  role: Role,
  invitedBy: string
): Promise<void> {
  await db
    .insertInto('group_invitations')
    .values({
      group_id: groupId,
      user_id: userId,
      role,
      invited_by: invitedBy,
      created_at: nowIso()
    })
    .onConflict(oc =>
      oc
        .columns(['group_id', 'user_id'])
        .doUpdateSet({ role, invited_by: invitedBy, created_at: nowIso() })
    )
    .execute();
}

/** Drops the invitation; whether there was one. */
export async function dropInvitation(
  db: Db,
  groupId: number,
  userId: number
): Promise<boolean> {
  const r = await db
    .deleteFrom('group_invitations')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Turns the user's invitation into a membership, in one transaction; the role, or null without one. */
export async function acceptInvitation(
  db: Db,
  groupId: number,
  userId: number
): Promise<Role | null> {
  return db.transaction().execute(async trx => {
    const invitation = await trx
      .deleteFrom('group_invitations')
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .returning('role')
      .executeTakeFirst();
    if (!invitation) {
      return null;
    }
    await trx
      .insertInto('memberships')
      .values({
        group_id: groupId,
        user_id: userId,
        role: invitation.role,
        created_at: nowIso()
      })
      .onConflict(oc =>
        oc
          .columns(['group_id', 'user_id'])
          .doUpdateSet({ role: invitation.role })
      )
      .execute();
    return invitation.role as Role;
  });
}

export async function invitationsOf(db: Db, userId: number) {
  const rows = await db
    .selectFrom('group_invitations')
    .innerJoin('groups', 'groups.id', 'group_invitations.group_id')
    .select([
      'groups.name as group',
      'group_invitations.role',
      'group_invitations.invited_by',
      'group_invitations.created_at'
    ])
    .where('group_invitations.user_id', '=', userId)
    .orderBy('groups.name')
    .execute();
  return rows.map(r => ({ ...r, role: r.role as Role }));
}
