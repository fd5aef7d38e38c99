import crypto from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { DatabaseKind } from '../db/connect';
import type { Db } from '../db/database';
import { nowIso } from '../db/database';
import type { WebhookConfig } from './config';
import { postDelivery, signature } from './deliver';

const BATCH = 20;

/** Delay before retry number `attempts` (1 = the first retry): doubling from the base, capped. */
export function retryDelayMs(attempts: number, config: WebhookConfig): number {
  return Math.min(
    config.retryBaseMs * 2 ** Math.max(attempts - 1, 0),
    config.maxDelayMs
  );
}

/**
 * Delivers the outbox. Every server process runs one; a delivery is claimed with a lease
 * (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one writer at a time), so each is attempted by one
 * process at a time, and a process killed mid-attempt only delays it until its lease runs out.
 */
export class OutboxWorker {
  private readonly owner = crypto.randomUUID();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly kind: DatabaseKind,
    private readonly config: WebhookConfig,
    private readonly log: FastifyBaseLogger
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) {
      clearTimeout(this.timer);
    }
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) {
      return;
    }
    this.timer = setTimeout(() => {
      this.running = this.runOnce().then(
        n => this.schedule(n === BATCH ? 0 : this.config.pollMs),
        err => {
          this.log.error({ err }, 'webhook outbox: delivery round failed');
          this.schedule(this.config.pollMs);
        }
      );
    }, ms);
    this.timer.unref();
  }

  /** Claims due deliveries and attempts each once; returns how many were claimed. */
  async runOnce(): Promise<number> {
    const claimed = await this.claim();
    await Promise.all(claimed.map(id => this.attempt(id)));
    return claimed.length;
  }

  private async claim(): Promise<number[]> {
    const now = nowIso();
    // The attempt is bounded by timeoutMs; after that (and a margin) a crashed owner's claim lapses.
    const leaseUntil = new Date(
      Date.now() + 2 * this.config.timeoutMs + 5_000
    ).toISOString();
    const claimable = <Q extends { where: (...args: any[]) => Q }>(q: Q): Q =>
      q
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb: any) =>
          eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)])
        );
    const due = claimable(this.db.selectFrom('webhook_deliveries').select('id'))
      .orderBy('id')
      .limit(BATCH);
    if (this.kind === 'postgres') {
      // One statement; SKIP LOCKED keeps concurrent processes on disjoint rows.
      const rows = await this.db
        .updateTable('webhook_deliveries')
        .set({ lease_owner: this.owner, lease_until: leaseUntil })
        .where('id', 'in', due.forUpdate().skipLocked())
        .returning('id')
        .execute();
      return rows.map(r => r.id);
    }
    // SQLite: a read first, so an idle poll takes no write lock; the UPDATE re-checks the claim
    // conditions, and SQLite runs one writer at a time, so two processes cannot both win a row.
    const ids = (await due.execute()).map(r => r.id);
    if (!ids.length) {
      return [];
    }
    const rows = await claimable(
      this.db
        .updateTable('webhook_deliveries')
        .set({ lease_owner: this.owner, lease_until: leaseUntil })
        .where('id', 'in', ids)
    )
      .returning('id')
      .execute();
    return rows.map(r => r.id);
  }

  private async attempt(id: number): Promise<void> {
    const row = await this.db
      .selectFrom('webhook_deliveries')
      .innerJoin('webhooks', 'webhooks.id', 'webhook_deliveries.webhook_id')
      .innerJoin(
        'outbox_events',
        'outbox_events.id',
        'webhook_deliveries.event_id'
      )
      .select([
        'webhook_deliveries.uuid',
        'webhook_deliveries.attempts',
        'webhook_deliveries.created_at',
        'webhooks.url',
        'webhooks.secret',
        'outbox_events.type',
        'outbox_events.payload'
      ])
      .where('webhook_deliveries.id', '=', id)
      .where('webhook_deliveries.lease_owner', '=', this.owner)
      .executeTakeFirst();
    if (!row) {
      return;
    } // its webhook was deleted meanwhile
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers = {
      'x-modelreg-event': row.type,
      'x-modelreg-delivery': row.uuid,
      'x-modelreg-timestamp': timestamp,
      'x-modelreg-signature': signature(row.secret, timestamp, row.payload)
    };
    const result = await postDelivery(
      row.url,
      headers,
      row.payload,
      this.config
    );
    const attempts = row.attempts + 1;
    const mine = (q: any) =>
      q.where('id', '=', id).where('lease_owner', '=', this.owner);
    if (result.ok) {
      await mine(
        this.db.updateTable('webhook_deliveries').set({
          status: 'delivered',
          attempts,
          last_status: result.status,
          last_error: null,
          lease_owner: null,
          lease_until: null,
          delivered_at: nowIso()
        })
      ).execute();
      return;
    }
    const next = Date.now() + retryDelayMs(attempts, this.config);
    const givenUp = next > Date.parse(row.created_at) + this.config.maxAgeMs;
    await mine(
      this.db.updateTable('webhook_deliveries').set({
        status: givenUp ? 'failed' : 'pending',
        attempts,
        last_status: result.status,
        last_error: result.error,
        next_attempt_at: new Date(next).toISOString(),
        lease_owner: null,
        lease_until: null
      })
    ).execute();
    this.log.warn(
      { delivery: row.uuid, url: row.url, attempts, error: result.error },
      givenUp
        ? 'webhook delivery given up'
        : 'webhook delivery failed; will retry'
    );
  }
}
