import { sql, type Kysely } from 'kysely';

// Frozen in time. MLflow 3's logged models as MLflow keeps them:
// - `folder`: where a logged model's files live in its candidate; two models of the same name logged in one
//   run get two folders (the first keeps the name). `source_run_id`: what the client sent, even a run this
//   registry does not know (MLflow accepts it).
// - `mlflow_run_outputs`: the models a run logged as outputs (`log_outputs`), with their step.
// - `mlflow_logged_model_metrics`: metric points logged with a `model_id`, with their dataset.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('mlflow_logged_models')
    .addColumn('folder', 'text')
    .execute();
  await db.schema
    .alterTable('mlflow_logged_models')
    .addColumn('source_run_id', 'text')
    .execute();
  await sql`UPDATE mlflow_logged_models SET folder = name`.execute(db);
  await sql`UPDATE mlflow_logged_models SET source_run_id =
    (SELECT run_id FROM candidates WHERE candidates.id = mlflow_logged_models.candidate_id)
    WHERE from_run = 1`.execute(db);

  await db.schema
    .createTable('mlflow_run_outputs')
    .addColumn('candidate_id', 'integer', c =>
      c.notNull().references('candidates.id').onDelete('cascade')
    )
    .addColumn('model_id', 'text', c => c.notNull())
    .addColumn('step', 'bigint', c => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('mlflow_run_outputs_pk', [
      'candidate_id',
      'model_id',
      'step'
    ])
    .execute();
  await sql`INSERT INTO mlflow_run_outputs (candidate_id, model_id, step)
    SELECT candidate_id, model_id, 0 FROM mlflow_logged_models WHERE from_run = 1`.execute(
    db
  );

  await db.schema
    .createTable('mlflow_logged_model_metrics')
    .addColumn('model_id', 'text', c =>
      c
        .notNull()
        .references('mlflow_logged_models.model_id')
        .onDelete('cascade')
    )
    .addColumn('key', 'text', c => c.notNull())
    .addColumn('value', 'double precision', c => c.notNull())
    .addColumn('is_nan', 'integer', c => c.notNull().defaultTo(0))
    .addColumn('step', 'bigint', c => c.notNull())
    .addColumn('timestamp', 'bigint', c => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('dataset_name', 'text')
    .addColumn('dataset_digest', 'text')
    .execute();
  await db.schema
    .createIndex('mlflow_logged_model_metrics_model_idx')
    .on('mlflow_logged_model_metrics')
    .column('model_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mlflow_logged_model_metrics').execute();
  await db.schema.dropTable('mlflow_run_outputs').execute();
  await db.schema
    .alterTable('mlflow_logged_models')
    .dropColumn('source_run_id')
    .execute();
  await db.schema
    .alterTable('mlflow_logged_models')
    .dropColumn('folder')
    .execute();
}
