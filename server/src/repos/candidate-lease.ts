/**
 * Leases of running candidates. A client that holds a candidate open (a notebook kernel, a CI job,
 * an upload) renews the lease by heartbeat; when its process dies the heartbeats stop, and the
 * sweeper ends the candidate as failed with the reason, so nothing stays "running" forever and the
 * panel does not offer to promote it. A heartbeat that arrives after that (the registry was down,
 * not the kernel) reopens it: the candidate was resumable all along.
 */
import type { CandidateRow, Db } from '../db/database';
import { nowIso } from '../db/database';
import { ApiError, versionLocked } from '../errors';
import { emitEvent } from '../outbox/events';
import { candidateEventObject } from './candidates';

/** Written into status_reason by the sweeper; a heartbeat reopens only candidates ended this way. */
export const LEASE_EXPIRED_PREFIX =
  'No heartbeat from the process that logged it since';

export interface Lease {
  lease_expires_at: string;
  lease_seconds: number;
}

/**
 * Renews the lease of a running candidate (or reopens one the sweeper ended).
 *
 * @throws ApiError VERSION_LOCKED once promoted; CONFLICT once it finished or failed otherwise.
 */
export async function renewLease(
  db: Db,
  candidate: CandidateRow,
  leaseSeconds: number
): Promise<Lease> {
  const expires = new Date(Date.now() + leaseSeconds * 1000).toISOString();
  return db.transaction().execute(async trx => {
    const row = await trx
      .selectFrom('candidates')
      .select(['status', 'status_reason', 'locked'])
      .where('id', '=', candidate.id)
      .executeTakeFirstOrThrow();
    if (row.locked) {
      throw versionLocked(`candidate ${candidate.iid}`);
    }
    const reopen =
      row.status === 'failed' &&
      (row.status_reason ?? '').startsWith(LEASE_EXPIRED_PREFIX);
    if (row.status !== 'running' && !reopen) {
      throw new ApiError(
        'CONFLICT',
        `candidate ${candidate.iid} is ${row.status}: it can no longer be kept open; log a new candidate instead`
      );
    }
    await trx
      .updateTable('candidates')
      .set({
        lease_expires_at: expires,
        ...(reopen
          ? { status: 'running', status_reason: null, updated_at: nowIso() }
          : {})
      })
      .where('id', '=', candidate.id)
      .where('locked', '=', 0)
      .execute();
    return { lease_expires_at: expires, lease_seconds: leaseSeconds };
  });
}

/**
 * Ends every running candidate whose lease ran out as failed; returns how many. `leaseSeconds` dates
 * the last heartbeat in the reason (a lease is renewed for that long).
 */
export async function expireLeases(
  db: Db,
  leaseSeconds: number,
  now = new Date()
): Promise<number> {
  const expired = await db
    .selectFrom('candidates')
    .selectAll()
    .where('status', '=', 'running')
    .where('lease_expires_at', '<', now.toISOString())
    .where('locked', '=', 0)
    .limit(500)
    .execute();
  for (const row of expired) {
    const since = new Date(
      Date.parse(row.lease_expires_at!) - leaseSeconds * 1000
    ).toISOString();
    await db.transaction().execute(async trx => {
      const ended = await trx
        .updateTable('candidates')
        .set({
          status: 'failed',
          status_reason: `${LEASE_EXPIRED_PREFIX} ${since}: its kernel, job or upload stopped before ending it. Log a new candidate, or keep logging to this one from a live process to reopen it.`,
          updated_at: nowIso()
        })
        .where('id', '=', row.id)
        .where('status', '=', 'running')
        .where('lease_expires_at', '=', row.lease_expires_at)
        .executeTakeFirst();
      if (Number(ended.numUpdatedRows) === 1) {
        await emitEvent(
          trx,
          row.model_id,
          'candidate.failed',
          'modelreg',
          candidateEventObject({ ...row, status: 'failed' })
        );
      }
    });
  }
  return expired.length;
}
