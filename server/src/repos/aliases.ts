import type { Db } from '../db/database';
import { nowIso } from '../db/database';
import { badRequest, notFound } from '../errors';
import { emitEvent } from '../outbox/events';
import { recordActivity } from './activity';

export async function listAliases(db: Db, modelId: number) {
  return db
    .selectFrom('aliases')
    .innerJoin('versions', 'versions.id', 'aliases.version_id')
    .select([
      'aliases.name as alias',
      'versions.version',
      'aliases.updated_by',
      'aliases.updated_at'
    ])
    .where('aliases.model_id', '=', modelId)
    .orderBy('aliases.name')
    .execute();
}

export async function moveAlias(
  db: Db,
  modelId: number,
  name: string,
  version: { id: number; version: string },
  actor: string
): Promise<void> {
  await db.transaction().execute(async trx => {
    const before = await trx
      .selectFrom('aliases')
      .innerJoin('versions', 'versions.id', 'aliases.version_id')
      .select('versions.version')
      .where('aliases.model_id', '=', modelId)
      .where('aliases.name', '=', name)
      .executeTakeFirst();
    const now = nowIso();
    await trx
      .insertInto('aliases')
      .values({
        model_id: modelId,
        name,
        version_id: version.id,
        updated_by: actor,
        updated_at: now
      })
      .onConflict(oc =>
        oc.columns(['model_id', 'name']).doUpdateSet({
          version_id: version.id,
          updated_by: actor,
          updated_at: now
        })
      )
      .execute();
    await trx
      .insertInto('alias_history')
      .values({
        model_id: modelId,
        alias: name,
        version_id: version.id,
        actor,
        created_at: now
      })
      .execute();
    const move = {
      alias: name,
      from: before?.version ?? null,
      to: version.version
    };
    await recordActivity(trx, modelId, 'alias.moved', actor, move);
    await emitEvent(trx, modelId, 'alias.moved', actor, move);
  });
}

export async function deleteAlias(
  db: Db,
  modelId: number,
  name: string,
  actor: string
): Promise<void> {
  await db.transaction().execute(async trx => {
    const before = await trx
      .selectFrom('aliases')
      .innerJoin('versions', 'versions.id', 'aliases.version_id')
      .select('versions.version')
      .where('aliases.model_id', '=', modelId)
      .where('aliases.name', '=', name)
      .executeTakeFirst();
    if (!before) {
      throw notFound(`alias "${name}"`);
    }
    await trx
      .deleteFrom('aliases')
      .where('model_id', '=', modelId)
      .where('name', '=', name)
      .execute();
    await trx
      .insertInto('alias_history')
      .values({
        model_id: modelId,
        alias: name,
        version_id: null,
        actor,
        created_at: nowIso()
      })
      .execute();
    await recordActivity(trx, modelId, 'alias.deleted', actor, { alias: name });
    await emitEvent(trx, modelId, 'alias.deleted', actor, {
      alias: name,
      from: before.version
    });
  });
}

/** Every move of an alias, newest first; `version` null means it was removed then. */
export async function aliasHistory(db: Db, modelId: number, name: string) {
  const rows = await db
    .selectFrom('alias_history')
    .leftJoin('versions', 'versions.id', 'alias_history.version_id')
    .select([
      'alias_history.id',
      'versions.version',
      'alias_history.actor',
      'alias_history.created_at'
    ])
    .where('alias_history.model_id', '=', modelId)
    .where('alias_history.alias', '=', name)
    .orderBy('alias_history.created_at', 'desc')
    .orderBy('alias_history.id', 'desc')
    .execute();
  if (!rows.length) {
    throw notFound(`alias "${name}" (it never existed)`);
  }
  return rows.map((r, i) => ({
    alias: name,
    version: r.version ?? null,
    previous: rows[i + 1]?.version ?? null,
    action: r.version ? 'moved' : 'deleted',
    actor: r.actor,
    at: r.created_at
  }));
}

/** Where the alias pointed at `at` (ISO 8601): the last move at or before that moment. */
export async function aliasAt(
  db: Db,
  modelId: number,
  name: string,
  at: string
) {
  const ms = Date.parse(at);
  if (!/^\d{4}-\d{2}-\d{2}/.test(at) || Number.isNaN(ms)) {
    throw badRequest(
      `at must be an ISO 8601 time like 2026-03-03T12:00:00Z, got "${at}"`
    );
  }
  const when = new Date(ms).toISOString();
  const row = await db
    .selectFrom('alias_history')
    .leftJoin('versions', 'versions.id', 'alias_history.version_id')
    .select([
      'versions.version',
      'alias_history.actor',
      'alias_history.created_at'
    ])
    .where('alias_history.model_id', '=', modelId)
    .where('alias_history.alias', '=', name)
    .where('alias_history.created_at', '<=', when)
    .orderBy('alias_history.created_at', 'desc')
    .orderBy('alias_history.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row || !row.version) {
    throw notFound(
      `alias "${name}" at ${when} (it ${row ? 'had been removed' : 'did not exist yet'} then)`
    );
  }
  return {
    alias: name,
    version: row.version,
    updated_by: row.actor,
    updated_at: row.created_at
  };
}
