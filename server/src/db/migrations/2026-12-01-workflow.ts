import { Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen in time. Issue 13: git tags on versions, deployments of versions or candidates with a
// status history and live metrics, monitoring thresholds, alias history, webhooks and the outbox
// their deliveries are made from.

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = pg ? 'serial' : 'integer';
  const idCol = (c: any) =>
    pg ? c.primaryKey() : c.primaryKey().autoIncrement();
  const bigint = pg ? 'bigint' : 'integer';
  const double = pg ? 'double precision' : 'real';

  await db.schema.alterTable('versions').addColumn('git_tag', 'text').execute();
  await db.schema
    .alterTable('versions')
    .addColumn('git_commit', 'text')
    .execute();
  await db.schema
    .alterTable('models')
    .addColumn('deployment_thresholds', 'text', c =>
      c.notNull().defaultTo('[]')
    )
    .execute();

  // A deployment now names a version or (outside production) a candidate, so version_id may be null.
  // SQLite cannot drop NOT NULL in place: the table is rebuilt (nothing references it yet).
  if (pg) {
    await sql`alter table deployments alter column version_id drop not null`.execute(
      db
    );
    await db.schema
      .alterTable('deployments')
      .addColumn('candidate_id', 'integer', c =>
        c.references('candidates.id').onDelete('cascade')
      )
      .execute();
    await db.schema
      .alterTable('deployments')
      .addColumn('updated_at', 'text')
      .execute();
  } else {
    await db.schema
      .createTable('deployments_rebuilt')
      .addColumn('id', id, idCol)
      .addColumn('model_id', 'integer', c =>
        c.notNull().references('models.id').onDelete('cascade')
      )
      .addColumn('version_id', 'integer', c =>
        c.references('versions.id').onDelete('cascade')
      )
      .addColumn('candidate_id', 'integer', c =>
        c.references('candidates.id').onDelete('cascade')
      )
      .addColumn('environment', 'text', c => c.notNull())
      .addColumn('url', 'text')
      .addColumn('status', 'text', c => c.notNull())
      .addColumn('created_by', 'text', c => c.notNull())
      .addColumn('created_at', 'text', c => c.notNull())
      .addColumn('updated_at', 'text')
      .execute();
    await sql`insert into deployments_rebuilt (id, model_id, version_id, environment, url, status, created_by, created_at)
      select id, model_id, version_id, environment, url, status, created_by, created_at from deployments`.execute(
      db
    );
    await db.schema.dropTable('deployments').execute();
    await db.schema
      .alterTable('deployments_rebuilt')
      .renameTo('deployments')
      .execute();
    await db.schema
      .createIndex('deployments_model_idx')
      .on('deployments')
      .columns(['model_id', 'id'])
      .execute();
  }
  // Free-text statuses of older records map onto the lifecycle; the first history entry keeps the original word.
  await db.schema
    .createTable('deployment_status_history')
    .addColumn('id', id, idCol)
    .addColumn('deployment_id', 'integer', c =>
      c.notNull().references('deployments.id').onDelete('cascade')
    )
    .addColumn('status', 'text', c => c.notNull())
    .addColumn('previous', 'text')
    .addColumn('actor', 'text', c => c.notNull())
    .addColumn('reason', 'text', c => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', c => c.notNull())
    .execute();
  await db.schema
    .createIndex('deployment_status_history_idx')
    .on('deployment_status_history')
    .columns(['deployment_id', 'id'])
    .execute();
  await sql`insert into deployment_status_history (deployment_id, status, previous, actor, reason, created_at)
    select id, case when status in ('pending', 'active', 'degraded', 'retired') then status else 'active' end, null, created_by,
      case when status in ('pending', 'active', 'degraded', 'retired') then '' else 'recorded as "' || status || '"' end, created_at
    from deployments`.execute(db);
  await sql`update deployments set status = 'active' where status not in ('pending', 'active', 'degraded', 'retired')`.execute(
    db
  );
  await sql`update deployments set updated_at = created_at`.execute(db);

  await db.schema
    .createTable('deployment_metrics')
    .addColumn('id', id, idCol)
    .addColumn('deployment_id', 'integer', c =>
      c.notNull().references('deployments.id').onDelete('cascade')
    )
    .addColumn('key', 'text', c => c.notNull())
    .addColumn('value', double, c => c.notNull())
    .addColumn('timestamp', bigint, c => c.notNull())
    .execute();
  await db.schema
    .createIndex('deployment_metrics_idx')
    .on('deployment_metrics')
    .columns(['deployment_id', 'key', 'timestamp'])
    .execute();

  // Every alias move and removal; version_id null means the alias was deleted at that moment.
  await db.schema
    .createTable('alias_history')
    .addColumn('id', id, idCol)
    .addColumn('model_id', 'integer', c =>
      c.notNull().references('models.id').onDelete('cascade')
    )
    .addColumn('alias', 'text', c => c.notNull())
    .addColumn('version_id', 'integer', c =>
      c.references('versions.id').onDelete('cascade')
    )
    .addColumn('actor', 'text', c => c.notNull())
    .addColumn('created_at', 'text', c => c.notNull())
    .execute();
  await db.schema
    .createIndex('alias_history_idx')
    .on('alias_history')
    .columns(['model_id', 'alias', 'created_at'])
    .execute();
  await sql`insert into alias_history (model_id, alias, version_id, actor, created_at)
    select model_id, name, version_id, updated_by, updated_at from aliases`.execute(
    db
  );

  await db.schema
    .createTable('webhooks')
    .addColumn('id', id, idCol)
    .addColumn('group_id', 'integer', c =>
      c.notNull().references('groups.id').onDelete('cascade')
    )
    .addColumn('model_id', 'integer', c =>
      c.references('models.id').onDelete('cascade')
    )
    .addColumn('url', 'text', c => c.notNull())
    .addColumn('secret', 'text', c => c.notNull())
    .addColumn('events', 'text', c => c.notNull())
    .addColumn('created_by', 'text', c => c.notNull())
    .addColumn('created_at', 'text', c => c.notNull())
    .execute();
  await db.schema
    .createIndex('webhooks_group_idx')
    .on('webhooks')
    .columns(['group_id'])
    .execute();

  // The outbox: an event and its deliveries are written in the transaction of the change itself.
  await db.schema
    .createTable('outbox_events')
    .addColumn('id', id, idCol)
    .addColumn('model_id', 'integer', c =>
      c.references('models.id').onDelete('set null')
    )
    .addColumn('type', 'text', c => c.notNull())
    .addColumn('payload', 'text', c => c.notNull())
    .addColumn('created_at', 'text', c => c.notNull())
    .execute();
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', id, idCol)
    .addColumn('uuid', 'text', c => c.notNull().unique())
    .addColumn('webhook_id', 'integer', c =>
      c.notNull().references('webhooks.id').onDelete('cascade')
    )
    .addColumn('event_id', 'integer', c =>
      c.notNull().references('outbox_events.id').onDelete('cascade')
    )
    .addColumn('status', 'text', c =>
      c.notNull().check(sql`status in ('pending', 'delivered', 'failed')`)
    )
    .addColumn('attempts', 'integer', c => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', c => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', c => c.notNull())
    .addColumn('delivered_at', 'text')
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_due_idx')
    .on('webhook_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_webhook_idx')
    .on('webhook_deliveries')
    .columns(['webhook_id', 'id'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error(
    'the workflow migration cannot be rolled back; restore a backup instead'
  );
}
