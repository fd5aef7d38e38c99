import type { Db } from '../db/database';
import { nowIso } from '../db/database';
import { decodeCursor, encodeCursor } from '../domain/cursor';
import { ApiError, notFound } from '../errors';

export interface WebhookInput {
  url: string;
  secret: string;
  events: string[];
  modelId: number | null;
}

type WebhookRow = {
  id: number;
  url: string;
  events: string;
  model_id: number | null;
  created_by: string;
  created_at: string;
  model: string | null;
};

function webhookView(r: WebhookRow) {
  return {
    id: r.id,
    url: r.url,
    events: JSON.parse(r.events) as string[],
    model: r.model,
    created_by: r.created_by,
    created_at: r.created_at
  };
}

function selectWebhooks(db: Db, groupId: number) {
  return db
    .selectFrom('webhooks')
    .leftJoin('models', 'models.id', 'webhooks.model_id')
    .select([
      'webhooks.id',
      'webhooks.url',
      'webhooks.events',
      'webhooks.model_id',
      'webhooks.created_by',
      'webhooks.created_at',
      'models.name as model'
    ])
    .where('webhooks.group_id', '=', groupId);
}

export async function createWebhook(
  db: Db,
  groupId: number,
  input: WebhookInput,
  actor: string
) {
  const row = await db
    .insertInto('webhooks')
    .values({
      group_id: groupId,
      model_id: input.modelId,
      url: input.url,
      secret: input.secret,
      events: JSON.stringify([...new Set(input.events)]),
      created_by: actor,
      created_at: nowIso()
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return findWebhook(db, groupId, row.id);
}

export async function listWebhooks(db: Db, groupId: number) {
  return (
    await selectWebhooks(db, groupId).orderBy('webhooks.id').execute()
  ).map(webhookView);
}

export async function findWebhook(db: Db, groupId: number, id: number) {
  const row = await selectWebhooks(db, groupId)
    .where('webhooks.id', '=', id)
    .executeTakeFirst();
  if (!row) {
    throw notFound(`webhook ${id}`);
  }
  return webhookView(row);
}

export async function deleteWebhook(
  db: Db,
  groupId: number,
  id: number
): Promise<void> {
  const r = await db
    .deleteFrom('webhooks')
    .where('group_id', '=', groupId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(r.numDeletedRows) === 0) {
    throw notFound(`webhook ${id}`);
  }
}

const DELIVERY_COLUMNS = [
  'webhook_deliveries.id',
  'webhook_deliveries.uuid',
  'webhook_deliveries.status',
  'webhook_deliveries.attempts',
  'webhook_deliveries.next_attempt_at',
  'webhook_deliveries.last_status',
  'webhook_deliveries.last_error',
  'webhook_deliveries.created_at',
  'webhook_deliveries.delivered_at',
  'outbox_events.type as event'
] as const;

function deliveryView(r: {
  id: number;
  uuid: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  event: string;
}) {
  return {
    id: r.id,
    delivery: r.uuid,
    event: r.event,
    status: r.status as 'pending' | 'delivered' | 'failed',
    attempts: r.attempts,
    next_attempt_at: r.status === 'pending' ? r.next_attempt_at : null,
    last_status: r.last_status,
    last_error: r.last_error,
    created_at: r.created_at,
    delivered_at: r.delivered_at
  };
}

/** Deliveries of one webhook, newest first. */
export async function listDeliveries(
  db: Db,
  webhookId: number,
  cursor: string | undefined,
  limit: number
) {
  const after = decodeCursor(cursor);
  let q = db
    .selectFrom('webhook_deliveries')
    .innerJoin(
      'outbox_events',
      'outbox_events.id',
      'webhook_deliveries.event_id'
    )
    .select([...DELIVERY_COLUMNS])
    .where('webhook_deliveries.webhook_id', '=', webhookId);
  if (after) {
    q = q.where('webhook_deliveries.id', '<', Number(after[0]));
  }
  const rows = await q
    .orderBy('webhook_deliveries.id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  return {
    items: page.map(deliveryView),
    next_cursor:
      rows.length > limit ? encodeCursor([page[page.length - 1].id]) : null
  };
}

/** Queues a delivery again now, with the same delivery id (receivers deduplicate on it). */
export async function redeliver(db: Db, webhookId: number, deliveryId: number) {
  const r = await db
    .updateTable('webhook_deliveries')
    .set({
      status: 'pending',
      next_attempt_at: nowIso(),
      lease_owner: null,
      lease_until: null
    })
    .where('webhook_id', '=', webhookId)
    .where('id', '=', deliveryId)
    .where(eb =>
      eb.or([eb('status', '!=', 'pending'), eb('lease_until', 'is', null)])
    )
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) {
    const exists = await db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('webhook_id', '=', webhookId)
      .where('id', '=', deliveryId)
      .executeTakeFirst();
    if (!exists) {
      throw notFound(`delivery ${deliveryId} of webhook ${webhookId}`);
    }
    throw new ApiError(
      'CONFLICT',
      `delivery ${deliveryId} is being attempted right now; look again in a few seconds`
    );
  }
  const row = await db
    .selectFrom('webhook_deliveries')
    .innerJoin(
      'outbox_events',
      'outbox_events.id',
      'webhook_deliveries.event_id'
    )
    .select([...DELIVERY_COLUMNS])
    .where('webhook_deliveries.id', '=', deliveryId)
    .executeTakeFirstOrThrow();
  return deliveryView(row);
}
