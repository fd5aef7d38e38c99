import type { FastifyInstance } from 'fastify';
import type { WebhookConfig } from './config';
import { OutboxWorker } from './worker';

declare module 'fastify' {
  interface FastifyInstance {
    /** Webhook settings (private targets, retry timing), for registration checks and the worker. */
    webhookConfig: WebhookConfig;
  }
}

/** Decorates the config and runs this process's outbox worker from ready to close. */
export function installOutbox(
  app: FastifyInstance,
  config: WebhookConfig
): void {
  app.decorate('webhookConfig', config);
  const worker = new OutboxWorker(app.db, app.dbKind, config, app.log);
  app.addHook('onReady', async () => worker.start());
  // preClose: the worker finishes its round before the database closes.
  app.addHook('preClose', async () => worker.stop());
}
