import { sql, type Kysely } from 'kysely';

// Frozen in time (security, issue 14, finding 10). A maintainer's PUT of a non-member records an
// invitation the user accepts or declines; nobody joins a group without consent, and the answer is
// the same whether the username exists or not.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('group_invitations')
    .addColumn('group_id', 'integer', c =>
      c.notNull().references('groups.id').onDelete('cascade')
    )
    .addColumn('user_id', 'integer', c =>
      c.notNull().references('users.id').onDelete('cascade')
    )
    .addColumn('role', 'text', c =>
      c
        .notNull()
        .check(
          sql`role in ('guest','reporter','developer','maintainer','owner')`
        )
    )
    .addColumn('invited_by', 'text', c => c.notNull())
    .addColumn('created_at', 'text', c => c.notNull())
    .addPrimaryKeyConstraint('group_invitations_pk', ['group_id', 'user_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('group_invitations').execute();
}
