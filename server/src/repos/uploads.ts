import crypto from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Database, Db } from '../db/database';
import { nowIso } from '../db/database';
import { notFound } from '../errors';
import type { StagedUpload } from '../blobs/store';

export type UploadRow = Selectable<Database['uploads']>;

export const stagedOf = (u: UploadRow): StagedUpload => ({
  key: u.staging_key,
  multipartId: u.multipart_id,
  partSize: Number(u.part_size)
});

export async function recordUpload(
  db: Db,
  entry: { candidateId: number; path: string; sha256: string; size: number },
  staged: StagedUpload
): Promise<UploadRow> {
  const row: UploadRow = {
    id: `up_${crypto.randomBytes(12).toString('hex')}`,
    candidate_id: entry.candidateId,
    path: entry.path,
    sha256: entry.sha256,
    size: entry.size,
    staging_key: staged.key,
    multipart_id: staged.multipartId,
    part_size: staged.partSize,
    created_at: nowIso()
  };
  await db.insertInto('uploads').values(row).execute();
  return row;
}

/** A pending upload of the same bytes to the same path: a client that restarts resumes it. */
export async function pendingUpload(
  db: Db,
  entry: { candidateId: number; path: string; sha256: string; size: number }
): Promise<UploadRow | null> {
  const r = await db
    .selectFrom('uploads')
    .selectAll()
    .where('candidate_id', '=', entry.candidateId)
    .where('path', '=', entry.path)
    .where('sha256', '=', entry.sha256)
    .where('size', '=', entry.size)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return r ? normalize(r) : null;
}

export async function findUpload(
  db: Db,
  candidateId: number,
  id: string
): Promise<UploadRow> {
  const r = await db
    .selectFrom('uploads')
    .selectAll()
    .where('id', '=', id)
    .where('candidate_id', '=', candidateId)
    .executeTakeFirst();
  if (!r) {
    throw notFound(
      `upload "${id}" (it was completed, aborted or never started; start a new one with POST .../uploads)`
    );
  }
  return normalize(r);
}

/** Removes the row; false when another request (a concurrent complete) already did. */
export async function forgetUpload(db: Db, id: string): Promise<boolean> {
  const r = await db
    .deleteFrom('uploads')
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Uploads started before `cutoffIso`, for gc to abort. */
export async function staleUploads(
  db: Db,
  cutoffIso: string
): Promise<UploadRow[]> {
  const rows = await db
    .selectFrom('uploads')
    .selectAll()
    .where('created_at', '<', cutoffIso)
    .execute();
  return rows.map(normalize);
}

function normalize(r: UploadRow): UploadRow {
  return { ...r, size: Number(r.size), part_size: Number(r.part_size) };
}
