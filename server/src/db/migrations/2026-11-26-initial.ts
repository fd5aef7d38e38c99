import { Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen in time: later schema changes get a new date-prefixed file.

function idColumnType(db: Kysely<any>) {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? 'serial'
    : 'integer';
}

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = idColumnType(db);
  const idCol = (c: any) =>
    pg ? c.primaryKey() : c.primaryKey().autoIncrement();

  await db.schema
    .createTable('users')
    .addColumn('id', id, idCol)
    .addColumn('username', 'text', c => c.notNull().unique())
    .addColumn('is_admin', 'integer', c => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', c => c.notNull())
    .execute();

  await db.schema
    .createTable('tokens')
    .addColumn('id', id, idCol)
    .addColumn('user_id', 'integer', c =>
      c.notNull().references('users.id').onDelete('cascade')
    )
    .addColumn('name', 'text', c => c.notNull())
    .addColumn('token_hash', 'text', c => c.notNull().unique())
    .addColumn('created_at', 'text', c => c.notNull())
    .execute();

  await db.schema
    .createTable('groups')
    .addColumn('id', id, idCol)
    .addColumn('name', 'text', c => c.notNull().unique())
    .addColumn('visibility', 'text', c =>
      c.notNull().check(sql`visibility in ('private', 'public')`)
    )
    .addColumn('created_at', 'text', c => c.notNull())
    .execute();

  await db.schema
    .createTable('memberships')
    .addColumn('group_id', 'integer', c =>
      c.notNull().references('groups.id').onDelete('cascade')
    )
    .addColumn('user_id', 'integer', c =>
      c.notNull().references('users.id').onDelete('cascade')
    )
    .addColumn('role', 'text', c =>
      c
        .notNull()
        .check(
          sql`role in ('guest','reporter','developer','maintainer','owner')`
        )
    )
    .addColumn('created_at', 'text', c => c.notNull())
    .addPrimaryKeyConstraint('memberships_pk', ['group_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('models')
    .addColumn('id', id, idCol)
    .addColumn('group_id', 'integer', c =>
      c.notNull().references('groups.id').onDelete('cascade')
    )
    .addColumn('name', 'text', c => c.notNull())
    .addColumn('description', 'text', c => c.notNull().defaultTo(''))
    .addColumn('metadata', 'text', c => c.notNull().defaultTo('{}'))
    .addColumn('created_by', 'text', c => c.notNull())
    .addColumn('created_at', 'text', c => c.notNull())
    .addColumn('updated_at', 'text', c => c.notNull())
    .addColumn('last_candidate_iid', 'integer', c => c.notNull().defaultTo(0))
    .addColumn('last_mlflow_version', 'integer', c => c.notNull().defaultTo(0))
    .addUniqueConstraint('models_group_name_uq', ['group_id', 'name'])
    .execute();

  await db.schema
    .createTable('model_tags')
    .addColumn('model_id', 'integer', c =>
      c.notNull().references('models.id').onDelete('cascade')
    )
    .addColumn('tag', 'text', c => c.notNull())
    .addPrimaryKeyConstraint('model_tags_pk', ['model_id', 'tag'])
    .execute();
  await db.schema
    .createIndex('model_tags_tag_idx')
    .on('model_tags')
    .column('tag')
    .execute();

  await db.schema
    .createTable('experiments')
    .addColumn('id', id, idCol)
    .addColumn('model_id', 'integer', c =>
      c.notNull().references('models.id').onDelete('cascade')
    )
    .addColumn('name', 'text', c => c.notNull())
    .addColumn('created_at', 'text', c => c.notNull())
    .addUniqueConstraint('experiments_model_name_uq', ['model_id', 'name'])
    .execute();

  await db.schema
    .createTable('candidates')
    .addColumn('id', id, idCol)
    .addColumn('model_id', 'integer', c =>
      c.notNull().references('models.id').onDelete('cascade')
    )
    .addColumn('iid', 'integer', c => c.notNull())
    .addColumn('run_id', 'text', c => c.notNull().unique())
    .addColumn('name', 'text', c => c.notNull().defaultTo(''))
    .addColumn('experiment_id', 'integer', c =>
      c.references('experiments.id').onDelete('set null')
    )
    .addColumn('status', 'text', c =>
      c.notNull().check(sql`status in ('running','finished','failed')`)
    )
    .addColumn('provenance', 'text', c => c.notNull().defaultTo('{}'))
    .addColumn('author', 'text', c => c.notNull())
    .addColumn('ci_pipeline_id', 'text')
    .addColumn('ci_merge_request', 'text')
    .addColumn('git_commit', 'text')
    .addColumn('locked', 'integer', c => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', c => c.notNull())
    .addColumn('updated_at', 'text', c => c.notNull())
    .addUniqueConstraint('candidates_model_iid_uq', ['model_id', 'iid'])
    .execute();
  await db.schema
    .createIndex('candidates_model_created_idx')
    .on('candidates')
    .columns(['model_id', 'created_at', 'iid'])
    .execute();
  await db.schema
    .createIndex('candidates_pipeline_idx')
    .on('candidates')
    .columns(['model_id', 'ci_pipeline_id'])
    .execute();
  await db.schema
    .createIndex('candidates_commit_idx')
    .on('candidates')
    .columns(['model_id', 'git_commit'])
    .execute();
  await db.schema
    .createIndex('candidates_mr_idx')
    .on('candidates')
    .columns(['model_id', 'ci_merge_request'])
    .execute();

  await db.schema
    .createTable('params')
    .addColumn('candidate_id', 'integer', c =>
      c.notNull().references('candidates.id').onDelete('cascade')
    )
    .addColumn('key', 'text', c => c.notNull())
    .addColumn('value', 'text', c => c.notNull())
    .addPrimaryKeyConstraint('params_pk', ['candidate_id', 'key'])
    .execute();

  await db.schema
    .createTable('candidate_tags')
    .addColumn('candidate_id', 'integer', c =>
      c.notNull().references('candidates.id').onDelete('cascade')
    )
    .addColumn('key', 'text', c => c.notNull())
    .addColumn('value', 'text', c => c.notNull())
    .addPrimaryKeyConstraint('candidate_tags_pk', ['candidate_id', 'key'])
    .execute();

  await db.schema
    .createTable('metrics')
    .addColumn('id', id, idCol)
    .addColumn('candidate_id', 'integer', c =>
      c.notNull().references('candidates.id').onDelete('cascade')
    )
    .addColumn('key', 'text', c => c.notNull())
    .addColumn('value', 'double precision', c => c.notNull())
    .addColumn('step', 'bigint', c => c.notNull())
    .addColumn('timestamp', 'bigint', c => c.notNull())
    .execute();
  await db.schema
    .createIndex('metrics_candidate_key_idx')
    .on('metrics')
    .columns(['candidate_id', 'key', 'step'])
    .execute();

  await db.schema
    .createTable('latest_metrics')
    .addColumn('candidate_id', 'integer', c =>
      c.notNull().references('candidates.id').onDelete('cascade')
    )
    .addColumn('key', 'text', c => c.notNull())
    .addColumn('value', 'double precision', c => c.notNull())
    .addColumn('step', 'bigint', c => c.notNull())
    .addColumn('timestamp', 'bigint', c => c.notNull())
    .addPrimaryKeyConstraint('latest_metrics_pk', ['candidate_id', 'key'])
    .execute();
  // Ordering candidates by a metric walks this index.
  await db.schema
    .createIndex('latest_metrics_key_value_idx')
    .on('latest_metrics')
    .columns(['key', 'value', 'candidate_id'])
    .execute();

  await db.schema
    .createTable('blobs')
    .addColumn('sha256', 'text', c => c.primaryKey())
    .addColumn('size', 'bigint', c => c.notNull())
    .addColumn('created_at', 'text', c => c.notNull())
    .execute();

  await db.schema
    .createTable('artifacts')
    .addColumn('candidate_id', 'integer', c =>
      c.notNull().references('candidates.id').onDelete('cascade')
    )
    .addColumn('path', 'text', c => c.notNull())
    .addColumn('sha256', 'text', c => c.notNull().references('blobs.sha256'))
    .addColumn('size', 'bigint', c => c.notNull())
    .addColumn('created_at', 'text', c => c.notNull())
    .addPrimaryKeyConstraint('artifacts_pk', ['candidate_id', 'path'])
    .execute();
  await db.schema
    .createIndex('artifacts_sha256_idx')
    .on('artifacts')
    .column('sha256')
    .execute();

  await db.schema
    .createTable('versions')
    .addColumn('id', id, idCol)
    .addColumn('model_id', 'integer', c =>
      c.notNull().references('models.id').onDelete('cascade')
    )
    .addColumn('version', 'text', c => c.notNull())
    .addColumn('version_key', 'text', c => c.notNull())
    .addColumn('prerelease', 'integer', c => c.notNull())
    .addColumn('candidate_id', 'integer', c =>
      c.notNull().unique().references('candidates.id').onDelete('cascade')
    )
    .addColumn('notes', 'text', c => c.notNull().defaultTo(''))
    .addColumn('yanked', 'integer', c => c.notNull().defaultTo(0))
    .addColumn('yank_reason', 'text')
    .addColumn('mlflow_version', 'integer', c => c.notNull())
    .addColumn('created_by', 'text', c => c.notNull())
    .addColumn('created_at', 'text', c => c.notNull())
    .addUniqueConstraint('versions_model_key_uq', ['model_id', 'version_key'])
    .addUniqueConstraint('versions_model_mlflow_uq', [
      'model_id',
      'mlflow_version'
    ])
    .execute();

  await db.schema
    .createTable('aliases')
    .addColumn('model_id', 'integer', c =>
      c.notNull().references('models.id').onDelete('cascade')
    )
    .addColumn('name', 'text', c => c.notNull())
    .addColumn('version_id', 'integer', c =>
      c.notNull().references('versions.id').onDelete('cascade')
    )
    .addColumn('updated_by', 'text', c => c.notNull())
    .addColumn('updated_at', 'text', c => c.notNull())
    .addPrimaryKeyConstraint('aliases_pk', ['model_id', 'name'])
    .execute();

  await db.schema
    .createTable('deployments')
    .addColumn('id', id, idCol)
    .addColumn('model_id', 'integer', c =>
      c.notNull().references('models.id').onDelete('cascade')
    )
    .addColumn('version_id', 'integer', c =>
      c.notNull().references('versions.id').onDelete('cascade')
    )
    .addColumn('environment', 'text', c => c.notNull())
    .addColumn('url', 'text')
    .addColumn('status', 'text', c => c.notNull())
    .addColumn('created_by', 'text', c => c.notNull())
    .addColumn('created_at', 'text', c => c.notNull())
    .execute();
  await db.schema
    .createIndex('deployments_model_idx')
    .on('deployments')
    .columns(['model_id', 'id'])
    .execute();

  await db.schema
    .createTable('activity')
    .addColumn('id', id, idCol)
    .addColumn('model_id', 'integer', c =>
      c.notNull().references('models.id').onDelete('cascade')
    )
    .addColumn('action', 'text', c => c.notNull())
    .addColumn('actor', 'text', c => c.notNull())
    .addColumn('details', 'text', c => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', c => c.notNull())
    .execute();
  await db.schema
    .createIndex('activity_model_idx')
    .on('activity')
    .columns(['model_id', 'id'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error(
    'the initial schema cannot be rolled back; restore a backup instead'
  );
}
