import type { Db } from '../db/database';
import { nowIso } from '../db/database';
import { notFound } from '../errors';
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
    await recordActivity(trx, modelId, 'alias.moved', actor, {
      alias: name,
      from: before?.version ?? null,
      to: version.version
    });
  });
}

export async function deleteAlias(
  db: Db,
  modelId: number,
  name: string,
  actor: string
): Promise<void> {
  await db.transaction().execute(async trx => {
    const r = await trx
      .deleteFrom('aliases')
      .where('model_id', '=', modelId)
      .where('name', '=', name)
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) {
      throw notFound(`alias "${name}"`);
    }
    await recordActivity(trx, modelId, 'alias.deleted', actor, { alias: name });
  });
}
