import type { FastifyInstance } from 'fastify';
import { expireLeases } from '../repos/candidate-lease';

declare module 'fastify' {
  interface FastifyInstance {
    /** How long a heartbeat keeps a running candidate open (MODELREG_CANDIDATE_LEASE_SECONDS). */
    candidateLeaseSeconds: number;
  }
}

/**
 * Decorates the lease length and, from ready to close, ends running candidates whose lease ran out.
 * The first sweep waits one lease after start: while the registry was down no heartbeat could
 * arrive, and the clients that are still alive need that long to renew.
 */
export function installLeaseSweeper(
  app: FastifyInstance,
  leaseSeconds: number
): void {
  app.decorate('candidateLeaseSeconds', leaseSeconds);
  const startedAt = Date.now();
  let timer: ReturnType<typeof setInterval> | undefined;
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    if (Date.now() - startedAt < leaseSeconds * 1000) {
      return;
    }
    sweeping = expireLeases(app.db, leaseSeconds).then(
      n => n && app.log.info(`ended ${n} candidate(s) whose lease ran out`),
      error => app.log.error({ err: error }, 'lease sweep failed')
    );
  };
  app.addHook('onReady', async () => {
    timer = setInterval(sweep, Math.min(30, leaseSeconds / 4) * 1000);
    timer.unref();
  });
  app.addHook('preClose', async () => {
    clearInterval(timer);
    await sweeping;
  });
}
