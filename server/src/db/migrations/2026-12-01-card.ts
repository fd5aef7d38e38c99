import { Kysely, PostgresAdapter } from 'kysely';

// Frozen in time: later schema changes get a new date-prefixed file.
// The model card's sections get revisions; a version records the revision it shipped with; a group
// names the sections a release version needs.

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('card_revisions')
    .addColumn('id', pg ? 'serial' : 'integer', c =>
      pg ? c.primaryKey() : c.primaryKey().autoIncrement()
    )
    .addColumn('model_id', 'integer', c =>
      c.notNull().references('models.id').onDelete('cascade')
    )
    .addColumn('revision', 'integer', c => c.notNull())
    .addColumn('description', 'text', c => c.notNull().defaultTo(''))
    .addColumn('sections', 'text', c => c.notNull().defaultTo('{}'))
    .addColumn('message', 'text')
    .addColumn('created_by', 'text', c => c.notNull())
    .addColumn('created_at', 'text', c => c.notNull())
    .addUniqueConstraint('card_revisions_model_revision_uq', [
      'model_id',
      'revision'
    ])
    .execute();
  // The counter lives on the row, like last_candidate_iid: the database numbers revisions.
  await db.schema
    .alterTable('models')
    .addColumn('last_card_revision', 'integer', c => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('versions')
    .addColumn('card_revision', 'integer')
    .execute();
  await db.schema
    .alterTable('groups')
    .addColumn('card_required_sections', 'text', c =>
      c.notNull().defaultTo('[]')
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('groups')
    .dropColumn('card_required_sections')
    .execute();
  await db.schema.alterTable('versions').dropColumn('card_revision').execute();
  await db.schema
    .alterTable('models')
    .dropColumn('last_card_revision')
    .execute();
  await db.schema.dropTable('card_revisions').execute();
}
