import type { Kysely } from 'kysely';

// Frozen in time. The logged models a run used as inputs (`log_inputs(models=[...])`), which MLflow
// returns in `run.inputs.model_inputs`. One row per run and model; they go with the run's candidate.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mlflow_run_model_inputs')
    .addColumn('candidate_id', 'integer', c =>
      c.notNull().references('candidates.id').onDelete('cascade')
    )
    .addColumn('model_id', 'text', c => c.notNull())
    .addPrimaryKeyConstraint('mlflow_run_model_inputs_pk', [
      'candidate_id',
      'model_id'
    ])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mlflow_run_model_inputs').execute();
}
