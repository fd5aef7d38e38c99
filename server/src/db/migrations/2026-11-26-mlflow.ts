import { Kysely } from 'kysely';

// Frozen in time. What only the MLflow protocol needs, kept beside the registry's own tables:
// lifecycle stages (MLflow deletes softly), experiment and version tags, stages, and MLflow 3's
// logged models. Every row hangs off a registry row and goes away with it.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mlflow_experiments')
    .addColumn('experiment_id', 'integer', c =>
      c.primaryKey().references('experiments.id').onDelete('cascade')
    )
    .addColumn('lifecycle_stage', 'text', c => c.notNull().defaultTo('active'))
    .addColumn('tags', 'text', c => c.notNull().defaultTo('{}'))
    .addColumn('updated_at', 'bigint', c => c.notNull())
    .execute();

  await db.schema
    .createTable('mlflow_runs')
    .addColumn('candidate_id', 'integer', c =>
      c.primaryKey().references('candidates.id').onDelete('cascade')
    )
    .addColumn('lifecycle_stage', 'text', c => c.notNull().defaultTo('active'))
    .addColumn('start_time', 'bigint')
    .addColumn('end_time', 'bigint')
    .execute();

  await db.schema
    .createTable('mlflow_logged_models')
    .addColumn('model_id', 'text', c => c.primaryKey())
    .addColumn('candidate_id', 'integer', c =>
      c.notNull().references('candidates.id').onDelete('cascade')
    )
    .addColumn('experiment_id', 'integer', c => c.notNull())
    .addColumn('name', 'text', c => c.notNull())
    .addColumn('from_run', 'integer', c => c.notNull())
    .addColumn('status', 'text', c => c.notNull())
    .addColumn('model_type', 'text', c => c.notNull().defaultTo(''))
    .addColumn('tags', 'text', c => c.notNull().defaultTo('{}'))
    .addColumn('params', 'text', c => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'bigint', c => c.notNull())
    .addColumn('updated_at', 'bigint', c => c.notNull())
    .execute();
  await db.schema
    .createIndex('mlflow_logged_models_candidate_idx')
    .on('mlflow_logged_models')
    .column('candidate_id')
    .execute();

  await db.schema
    .createTable('mlflow_model_versions')
    .addColumn('version_id', 'integer', c =>
      c.primaryKey().references('versions.id').onDelete('cascade')
    )
    .addColumn('tags', 'text', c => c.notNull().defaultTo('{}'))
    .addColumn('stage', 'text', c => c.notNull().defaultTo('None'))
    .addColumn('source', 'text')
    .addColumn('logged_model_id', 'text')
    .addColumn('updated_at', 'bigint', c => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'mlflow_model_versions',
    'mlflow_logged_models',
    'mlflow_runs',
    'mlflow_experiments'
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
