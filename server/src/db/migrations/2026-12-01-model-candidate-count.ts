import { sql, type Kysely } from 'kysely';

// Frozen in time. The model card shows how many candidates a model has; counting them on every read
// walks the model's whole index range (a 1,000,000-candidate sweep: ~100 ms). A counter kept in the
// transaction that creates or deletes a candidate answers in one row read.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('models')
    .addColumn('candidate_count', 'integer', c => c.notNull().defaultTo(0))
    .execute();
  await sql`update models set candidate_count =
    (select count(*) from candidates where candidates.model_id = models.id)`.execute(
    db
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('models').dropColumn('candidate_count').execute();
}
