import type { Kysely } from 'kysely';

// Frozen in time. The datasets a candidate was trained or evaluated on (MLflow's `log_input`), kept as
// lineage: one row per (candidate, name, digest), as MLflow keeps one input per dataset and run.
// `context` is the input's `mlflow.data.context` tag ('' when none); `tags` holds all its input tags.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('candidate_datasets')
    .addColumn('candidate_id', 'integer', c =>
      c.notNull().references('candidates.id').onDelete('cascade')
    )
    .addColumn('name', 'text', c => c.notNull())
    .addColumn('digest', 'text', c => c.notNull())
    .addColumn('context', 'text', c => c.notNull().defaultTo(''))
    .addColumn('source_type', 'text', c => c.notNull())
    .addColumn('source', 'text', c => c.notNull())
    .addColumn('schema', 'text')
    .addColumn('profile', 'text')
    .addColumn('tags', 'text', c => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'text', c => c.notNull())
    .addPrimaryKeyConstraint('candidate_datasets_pk', [
      'candidate_id',
      'name',
      'digest'
    ])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('candidate_datasets').execute();
}
