import crypto from 'node:crypto';
import type { Db } from '../db/database';
import { nowIso } from '../db/database';

/** Everything a webhook can subscribe to. */
export const EVENT_TYPES = [
  'candidate.created',
  'candidate.finished',
  'candidate.failed',
  'version.promoted',
  'version.yanked',
  'alias.moved',
  'alias.deleted',
  'deployment.created',
  'deployment.updated',
  'card.updated'
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Writes an event into the outbox, one pending delivery per subscribed webhook, inside `trx`:
 * call it in the transaction of the change it reports, so the change and its event commit or
 * roll back together (a crash after the commit loses nothing; the worker delivers it later).
 *
 * @param object what changed, in its API shape (a version, an alias move, a deployment...).
 */
export async function emitEvent(
  trx: Db,
  modelId: number,
  type: EventType,
  actor: string,
  object: Record<string, unknown>
): Promise<void> {
  const model = await trx
    .selectFrom('models')
    .innerJoin('groups', 'groups.id', 'models.group_id')
    .select(['models.name', 'groups.name as group', 'groups.id as group_id'])
    .where('models.id', '=', modelId)
    .executeTakeFirstOrThrow();
  const hooks = await trx
    .selectFrom('webhooks')
    .select(['id', 'events'])
    .where('group_id', '=', model.group_id)
    .where(eb =>
      eb.or([eb('model_id', 'is', null), eb('model_id', '=', modelId)])
    )
    .execute();
  const subscribed = hooks.filter(h =>
    (JSON.parse(h.events) as string[]).includes(type)
  );
  if (!subscribed.length) {
    return;
  }
  const now = nowIso();
  const eventUuid = crypto.randomUUID();
  const payload = {
    id: eventUuid,
    type,
    created_at: now,
    actor,
    model: {
      group: model.group,
      name: model.name,
      full_name: `${model.group}/${model.name}`
    },
    object
  };
  const event = await trx
    .insertInto('outbox_events')
    .values({
      model_id: modelId,
      type,
      payload: JSON.stringify(payload),
      created_at: now
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('webhook_deliveries')
    .values(
      subscribed.map(h => ({
        uuid: crypto.randomUUID(),
        webhook_id: h.id,
        event_id: event.id,
        status: 'pending',
        attempts: 0,
        next_attempt_at: now,
        created_at: now
      }))
    )
    .execute();
}
