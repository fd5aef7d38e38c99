import type { Kysely } from 'kysely';

// Frozen in time. A metric point may be NaN (MLflow logs it; SQLite cannot store it: NaN becomes NULL).
// As in MLflow's own store, such a point is kept as value 0 with is_nan = 1.

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of ['metrics', 'latest_metrics']) {
    await db.schema
      .alterTable(table)
      .addColumn('is_nan', 'integer', c => c.notNull().defaultTo(0))
      .execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['metrics', 'latest_metrics']) {
    await db.schema.alterTable(table).dropColumn('is_nan').execute();
  }
}
