import type { Kysely } from 'kysely';

// Frozen in time: later schema changes get a new date-prefixed file.

/** Presigned uploads in progress: the bytes are staged in the bucket until the registry verifies them. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('uploads')
    .addColumn('id', 'text', c => c.primaryKey())
    .addColumn('candidate_id', 'integer', c =>
      c.notNull().references('candidates.id').onDelete('cascade')
    )
    .addColumn('path', 'text', c => c.notNull())
    .addColumn('sha256', 'text', c => c.notNull())
    .addColumn('size', 'bigint', c => c.notNull())
    .addColumn('staging_key', 'text', c => c.notNull())
    .addColumn('multipart_id', 'text')
    .addColumn('part_size', 'bigint', c => c.notNull())
    .addColumn('created_at', 'text', c => c.notNull())
    .execute();
  await db.schema
    .createIndex('uploads_candidate_path')
    .on('uploads')
    .columns(['candidate_id', 'path'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('uploads').execute();
}
