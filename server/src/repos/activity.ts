import type { Db } from '../db/database';
import { nowIso } from '../db/database';
import { decodeCursor, encodeCursor } from '../domain/cursor';

export type ActivityAction =
  | 'model.created'
  | 'model.renamed'
  | 'card.edited'
  | 'candidate.logged'
  | 'candidate.deleted'
  | 'candidate.moved'
  | 'version.promoted'
  | 'version.yanked'
  | 'version.notes'
  | 'alias.moved'
  | 'alias.deleted'
  | 'deployment.recorded';

/** Append-only: called inside the transaction of the change it records. */
export async function recordActivity(
  db: Db,
  modelId: number,
  action: ActivityAction,
  actor: string,
  details: Record<string, unknown>
): Promise<void> {
  await db
    .insertInto('activity')
    .values({
      model_id: modelId,
      action,
      actor,
      details: JSON.stringify(details),
      created_at: nowIso()
    })
    .execute();
}

export async function listActivity(
  db: Db,
  modelId: number,
  cursor: string | undefined,
  limit: number
) {
  const after = decodeCursor(cursor);
  let q = db.selectFrom('activity').selectAll().where('model_id', '=', modelId);
  if (after) {
    q = q.where('id', '<', Number(after[0]));
  }
  const rows = await q
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  return {
    items: page.map(r => ({
      id: r.id,
      action: r.action,
      actor: r.actor,
      created_at: r.created_at,
      details: JSON.parse(r.details)
    })),
    next_cursor:
      rows.length > limit ? encodeCursor([page[page.length - 1].id]) : null
  };
}
