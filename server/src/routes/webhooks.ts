import {
  Type,
  type FastifyPluginAsyncTypebox
} from '@fastify/type-provider-typebox';
import { groupAccess, requireRole } from '../access';
import { badRequest, notFound } from '../errors';
import { pageLimit } from '../domain/cursor';
import { checkWebhookUrl, RefusedTarget } from '../outbox/address';
import { EVENT_TYPES } from '../outbox/events';
import {
  createWebhook,
  deleteWebhook,
  findWebhook,
  listDeliveries,
  listWebhooks,
  redeliver
} from '../outbox/webhooks';
import { findModel } from '../repos/models';
import {
  commonErrors,
  errorRef,
  GroupParams,
  onePage,
  page,
  Paging
} from '../schemas/common';

const EventType = Type.Union(EVENT_TYPES.map(e => Type.Literal(e)));
const Webhook = Type.Object(
  {
    id: Type.Integer(),
    url: Type.String(),
    events: Type.Array(Type.String()),
    model: Type.Union([Type.String(), Type.Null()]),
    created_by: Type.String(),
    created_at: Type.String()
  },
  { description: 'The secret is never sent back' }
);
const Delivery = Type.Object({
  id: Type.Integer(),
  delivery: Type.String({
    description: 'the X-Modelreg-Delivery id, the same on every retry'
  }),
  event: Type.String(),
  status: Type.Union([
    Type.Literal('pending'),
    Type.Literal('delivered'),
    Type.Literal('failed')
  ]),
  attempts: Type.Integer(),
  next_attempt_at: Type.Union([Type.String(), Type.Null()]),
  last_status: Type.Union([Type.Integer(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  delivered_at: Type.Union([Type.String(), Type.Null()])
});
const WebhookParams = Type.Object({
  group: Type.String(),
  id: Type.Integer({ minimum: 1 })
});

export const webhookRoutes: FastifyPluginAsyncTypebox = async app => {
  const maintainerOf = async (
    caller: Parameters<typeof groupAccess>[1],
    group: string,
    action: string
  ) => {
    const access = await groupAccess(app.db, caller, group);
    requireRole(access, caller, 'maintainer', action);
    return access;
  };

  app.post(
    '/groups/:group/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary:
          'Subscribe a URL to events of the group, or of one model (maintainer+)',
        params: GroupParams,
        body: Type.Object({
          url: Type.String({ minLength: 1, maxLength: 2000 }),
          secret: Type.String({
            minLength: 16,
            maxLength: 500,
            description: 'signs every delivery (X-Modelreg-Signature)'
          }),
          events: Type.Array(EventType, {
            minItems: 1,
            maxItems: EVENT_TYPES.length * 2
          }),
          model: Type.Optional(
            Type.String({
              description: 'only events of this model of the group'
            })
          )
        }),
        response: { 201: Webhook, 409: errorRef, ...commonErrors }
      }
    },
    async (request, reply) => {
      const access = await maintainerOf(
        request.caller,
        request.params.group,
        'adding a webhook'
      );
      const { url, secret, events, model } = request.body;
      try {
        checkWebhookUrl(url, app.webhookConfig.allowPrivate);
      } catch (err) {
        if (err instanceof RefusedTarget) {
          throw badRequest(err.message);
        }
        throw err;
      }
      let modelId: number | null = null;
      if (model !== undefined) {
        const row = await findModel(app.db, access.group.id, model);
        if (!row) {
          throw notFound(`model "${access.group.name}/${model}"`);
        }
        modelId = row.id;
      }
      const hook = await createWebhook(
        app.db,
        access.group.id,
        { url, secret, events, modelId },
        request.caller!.username
      );
      return reply.status(201).send(hook);
    }
  );

  app.get(
    '/groups/:group/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Webhooks of the group (maintainer+)',
        params: GroupParams,
        response: {
          200: page(Webhook),
          ...commonErrors
        }
      }
    },
    async request => {
      const access = await maintainerOf(
        request.caller,
        request.params.group,
        'listing webhooks'
      );
      return onePage(await listWebhooks(app.db, access.group.id));
    }
  );

  app.get(
    '/groups/:group/webhooks/:id',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'One webhook (maintainer+)',
        params: WebhookParams,
        response: { 200: Webhook, ...commonErrors }
      }
    },
    async request => {
      const access = await maintainerOf(
        request.caller,
        request.params.group,
        'reading a webhook'
      );
      return findWebhook(app.db, access.group.id, request.params.id);
    }
  );

  app.delete(
    '/groups/:group/webhooks/:id',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Remove a webhook and its pending deliveries (maintainer+)',
        params: WebhookParams,
        response: { 204: Type.Null(), ...commonErrors }
      }
    },
    async (request, reply) => {
      const access = await maintainerOf(
        request.caller,
        request.params.group,
        'removing a webhook'
      );
      await deleteWebhook(app.db, access.group.id, request.params.id);
      return reply.status(204).send(null);
    }
  );

  app.get(
    '/groups/:group/webhooks/:id/deliveries',
    {
      schema: {
        tags: ['webhooks'],
        summary:
          'Deliveries of a webhook, newest first: status, attempts, last error (maintainer+)',
        params: WebhookParams,
        querystring: Type.Object({ ...Paging }),
        response: { 200: page(Delivery), ...commonErrors }
      }
    },
    async request => {
      const access = await maintainerOf(
        request.caller,
        request.params.group,
        'reading webhook deliveries'
      );
      const hook = await findWebhook(
        app.db,
        access.group.id,
        request.params.id
      );
      return listDeliveries(
        app.db,
        hook.id,
        request.query.cursor,
        pageLimit(request.query.limit)
      );
    }
  );

  app.post(
    '/groups/:group/webhooks/:id/deliveries/:delivery/redeliver',
    {
      schema: {
        tags: ['webhooks'],
        summary:
          'Send a delivery again now, with the same delivery id (maintainer+)',
        params: Type.Object({
          group: Type.String(),
          id: Type.Integer({ minimum: 1 }),
          delivery: Type.Integer({ minimum: 1 })
        }),
        response: { 202: Delivery, 409: errorRef, ...commonErrors }
      }
    },
    async (request, reply) => {
      const access = await maintainerOf(
        request.caller,
        request.params.group,
        'redelivering a webhook event'
      );
      const hook = await findWebhook(
        app.db,
        access.group.id,
        request.params.id
      );
      return reply
        .status(202)
        .send(await redeliver(app.db, hook.id, request.params.delivery));
    }
  );
};
