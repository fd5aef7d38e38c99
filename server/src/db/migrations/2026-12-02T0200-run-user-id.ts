import type { Kysely } from 'kysely';

// Frozen in time. MLflow reports as a run's user_id what its client sent at creation (the `mlflow.user`
// tag, else "unknown"); the candidate's author stays the authenticated user. NULL for runs not created
// through MLflow: they report their author.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('mlflow_runs')
    .addColumn('user_id', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mlflow_runs').dropColumn('user_id').execute();
}
