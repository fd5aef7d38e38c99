import type { Db } from '../db/database';
import { nowIso } from '../db/database';
import { notFound } from '../errors';
import { claimForWrite } from './candidates';

export interface ArtifactEntry {
  path: string;
  sha256: string;
  size: number;
}

/** Records a blob the store now holds and points the candidate's path at it, unless the candidate got locked. */
export async function attachArtifact(
  db: Db,
  candidate: { id: number; iid: number },
  entry: ArtifactEntry
): Promise<void> {
  await db.transaction().execute(async trx => {
    await claimForWrite(trx, candidate);
    // (reliability) DO UPDATE, not DO NOTHING: it locks an existing row, so a concurrent gc cannot delete it
    // between this statement and the artifact insert below (on PostgreSQL that was a foreign-key 500).
    await trx
      .insertInto('blobs')
      .values({ sha256: entry.sha256, size: entry.size, created_at: nowIso() })
      .onConflict(oc => oc.column('sha256').doUpdateSet({ size: entry.size }))
      .execute();
    await trx
      .insertInto('artifacts')
      .values({ candidate_id: candidate.id, ...entry, created_at: nowIso() })
      .onConflict(oc =>
        oc.columns(['candidate_id', 'path']).doUpdateSet({
          sha256: entry.sha256,
          size: entry.size,
          created_at: nowIso()
        })
      )
      .execute();
  });
}

export async function detachArtifact(
  db: Db,
  candidate: { id: number; iid: number },
  path: string
): Promise<void> {
  await db.transaction().execute(async trx => {
    await claimForWrite(trx, candidate);
    const r = await trx
      .deleteFrom('artifacts')
      .where('candidate_id', '=', candidate.id)
      .where('path', '=', path)
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) {
      throw notFound(`artifact "${path}"`);
    }
  });
}

export async function listArtifacts(
  db: Db,
  candidateId: number
): Promise<ArtifactEntry[]> {
  const rows = await db
    .selectFrom('artifacts')
    .select(['path', 'sha256', 'size'])
    .where('candidate_id', '=', candidateId)
    .orderBy('path')
    .execute();
  return rows.map(r => ({
    path: r.path,
    sha256: r.sha256,
    size: Number(r.size)
  }));
}

export async function findArtifact(
  db: Db,
  candidateId: number,
  path: string
): Promise<ArtifactEntry> {
  const r = await db
    .selectFrom('artifacts')
    .select(['path', 'sha256', 'size'])
    .where('candidate_id', '=', candidateId)
    .where('path', '=', path)
    .executeTakeFirst();
  if (!r) {
    throw notFound(`artifact "${path}"`);
  }
  return { ...r, size: Number(r.size) };
}

/**
 * A blob the caller may reuse by digest: one that an artifact in a group the caller can read
 * already points at. A digest is not a secret (manifests, ETags, CI logs), so knowing one must
 * not open another group's private bytes; anything else answers as if the blob did not exist.
 */
export async function readableBlob(
  db: Db,
  caller: { id: number; is_admin: number },
  sha256: string
): Promise<{ size: number } | null> {
  let q = db
    .selectFrom('artifacts')
    .innerJoin('candidates', 'candidates.id', 'artifacts.candidate_id')
    .innerJoin('models', 'models.id', 'candidates.model_id')
    .innerJoin('groups', 'groups.id', 'models.group_id')
    .select('artifacts.size')
    .where('artifacts.sha256', '=', sha256);
  if (!caller.is_admin) {
    q = q.where(eb =>
      eb.or([
        eb('groups.visibility', '=', 'public'),
        eb.exists(
          eb
            .selectFrom('memberships')
            .select('memberships.user_id')
            .whereRef('memberships.group_id', '=', 'groups.id')
            .where('memberships.user_id', '=', caller.id)
        )
      ])
    );
  }
  const r = await q.limit(1).executeTakeFirst();
  return r ? { size: Number(r.size) } : null;
}

/**
 * Takes gc's lease on a blob about to be published or attached: its row's created_at becomes now,
 * and gc deletes only rows (and so objects) older than its grace period (ops/s3.ts). Waits while a
 * gc is deleting that very row, so the caller then sees the blob gone and writes it again.
 */
export async function reserveBlob(
  db: Db,
  sha256: string,
  size: number
): Promise<void> {
  await db
    .insertInto('blobs')
    .values({ sha256, size, created_at: nowIso() })
    .onConflict(oc =>
      oc.column('sha256').doUpdateSet({ size, created_at: nowIso() })
    )
    .execute();
}

/** Checksum deploy: refreshes the lease of a blob the database knows; null when it knows none. */
export async function leaseKnownBlob(
  db: Db,
  sha256: string
): Promise<{ size: number } | null> {
  const r = await db
    .updateTable('blobs')
    .set({ created_at: nowIso() })
    .where('sha256', '=', sha256)
    .returning('size')
    .executeTakeFirst();
  return r ? { size: Number(r.size) } : null;
}

/** Manifests of many candidates at once, for compare. */
export async function manifests(db: Db, candidateIds: number[]) {
  if (!candidateIds.length) {
    return [];
  }
  return db
    .selectFrom('artifacts')
    .select(['candidate_id', 'path', 'sha256', 'size'])
    .where('candidate_id', 'in', candidateIds)
    .execute();
}
