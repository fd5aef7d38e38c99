import { sql, type Kysely } from 'kysely';

// Frozen in time (security, issue 14).
// - tokens: expiry, last use and scopes; tokens from before keep every scope they had.
// - retired_model_names: a model name that ever had versions is never given to a new model, so
//   "group/model@version" names one content forever (rename and delete retire the old name).
// - version_signatures: the Ed25519-signed manifest of each promoted version.
// - names are unique regardless of case ("Secret" and "secret" cannot coexist).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('tokens')
    .addColumn('expires_at', 'text')
    .execute();
  await db.schema
    .alterTable('tokens')
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema
    .alterTable('tokens')
    .addColumn('scopes', 'text', c => c.notNull().defaultTo('read,write,admin'))
    .execute();

  await db.schema
    .createTable('retired_model_names')
    .addColumn('group_id', 'integer', c =>
      c.notNull().references('groups.id').onDelete('cascade')
    )
    .addColumn('name_key', 'text', c => c.notNull())
    .addColumn('name', 'text', c => c.notNull())
    .addColumn('reason', 'text', c => c.notNull())
    .addColumn('retired_at', 'text', c => c.notNull())
    .addPrimaryKeyConstraint('retired_model_names_pk', ['group_id', 'name_key'])
    .execute();

  await db.schema
    .createTable('version_signatures')
    .addColumn('version_id', 'integer', c =>
      c.primaryKey().references('versions.id').onDelete('cascade')
    )
    .addColumn('key_id', 'text', c => c.notNull())
    .addColumn('envelope', 'text', c => c.notNull())
    .addColumn('created_at', 'text', c => c.notNull())
    .execute();

  // Expression indexes: the same statement works on SQLite and PostgreSQL.
  await sql`create unique index users_username_ci_uq on users (lower(username))`.execute(
    db
  );
  await sql`create unique index groups_name_ci_uq on groups (lower(name))`.execute(
    db
  );
  await sql`create unique index models_name_ci_uq on models (group_id, lower(name))`.execute(
    db
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('models_name_ci_uq').execute();
  await db.schema.dropIndex('groups_name_ci_uq').execute();
  await db.schema.dropIndex('users_username_ci_uq').execute();
  await db.schema.dropTable('version_signatures').execute();
  await db.schema.dropTable('retired_model_names').execute();
  await db.schema.alterTable('tokens').dropColumn('scopes').execute();
  await db.schema.alterTable('tokens').dropColumn('last_used_at').execute();
  await db.schema.alterTable('tokens').dropColumn('expires_at').execute();
}
