import type { Db, ModelRow } from '../db/database';
import { nowIso } from '../db/database';
import { isUniqueViolation } from '../db/connect';
import { atLeast, type Role } from '../domain/roles';
import { ApiError } from '../errors';
import { recordActivity } from './activity';

/**
 * The promise behind every reference: `group/model@version` names one content forever. So a
 * model with versions is renamed only by an owner (and the activity log says so), and a name
 * that ever had versions is retired: no new model, and no renamed one, can take it again,
 * whatever the case of its letters. Every route (REST and MLflow) goes through these functions.
 */

const nameKey = (name: string) => name.toLowerCase();

async function versionCount(db: Db, modelId: number): Promise<number> {
  const r = await db
    .selectFrom('versions')
    .select(eb => eb.fn.countAll<number>().as('n'))
    .where('model_id', '=', modelId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** 409 CONFLICT when `name` was retired in the group (it had versions under another model). */
export async function assertNameNotRetired(
  db: Db,
  groupId: number,
  groupName: string,
  name: string
): Promise<void> {
  const retired = await db
    .selectFrom('retired_model_names')
    .select(['name', 'reason', 'retired_at'])
    .where('group_id', '=', groupId)
    .where('name_key', '=', nameKey(name))
    .executeTakeFirst();
  if (retired) {
    throw new ApiError(
      'CONFLICT',
      `the name "${groupName}/${name}" is retired: a model called "${retired.name}" had versions under it (${retired.reason} ${retired.retired_at}), and references like "${groupName}/${retired.name}@1.0.0" must never name other content; pick another name`
    );
  }
}

/** Retires the model's current name when it has versions; call inside the rename/delete transaction. */
export async function retireNameIfVersioned(
  trx: Db,
  model: ModelRow,
  reason: 'renamed' | 'deleted'
): Promise<boolean> {
  if ((await versionCount(trx, model.id)) === 0) {
    return false;
  }
  await trx
    .insertInto('retired_model_names')
    .values({
      group_id: model.group_id,
      name_key: nameKey(model.name),
      name: model.name,
      reason,
      retired_at: nowIso()
    })
    .onConflict(oc => oc.columns(['group_id', 'name_key']).doNothing())
    .execute();
  return true;
}

/**
 * Renames a model. Without versions a maintainer may; with versions only an owner, the old
 * name is retired and the rename is recorded in the activity log. 409 CONFLICT when the new
 * name is taken (in any case) or retired; 403 FORBIDDEN for a maintainer renaming a versioned model.
 */
export async function renameModel(
  db: Db,
  model: ModelRow,
  groupName: string,
  newName: string,
  actor: { username: string; role: Role | null }
): Promise<void> {
  const versions = await versionCount(db, model.id);
  if (versions > 0 && !atLeast(actor.role, 'owner')) {
    throw new ApiError(
      'FORBIDDEN',
      `renaming "${groupName}/${model.name}" needs the owner role: it has ${versions} version(s), and its name is then retired for good; your role is ${actor.role ?? 'none'}`
    );
  }
  if (!atLeast(actor.role, 'maintainer')) {
    throw new ApiError(
      'FORBIDDEN',
      `renaming a model needs the maintainer role or higher in group "${groupName}"; your role is ${actor.role ?? 'none'}`
    );
  }
  await assertNameNotRetired(db, model.group_id, groupName, newName);
  try {
    await db.transaction().execute(async trx => {
      await retireNameIfVersioned(trx, model, 'renamed');
      await trx
        .updateTable('models')
        .set({ name: newName, updated_at: nowIso() })
        .where('id', '=', model.id)
        .execute();
      await recordActivity(trx, model.id, 'model.renamed', actor.username, {
        from: model.name,
        to: newName,
        versions
      });
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new ApiError(
        'CONFLICT',
        `a model "${groupName}/${newName}" already exists (names are unique regardless of case); pick another name`
      );
    }
    throw err;
  }
}
