import { sql } from 'kysely';
import type { Db } from '../db/database';

/** True for a blob's row while no artifact of any candidate references its digest. */
export const unreferenced = (sha256: string) =>
  sql<boolean>`not exists (select 1 from artifacts where artifacts.sha256 = ${sha256})`;

/**
 * Deletes the rows of blobs that nothing references and whose bytes are already gone from the store
 * (a crash between removing the bytes and the row), so a later checksum deploy does not trust them.
 * One row at a time, each re-checked as unreferenced in its delete: an upload attaching the same
 * digest meanwhile keeps its row. `createdBefore` spares rows that uploads hold as a lease.
 */
export async function removeOrphanRows(
  db: Db,
  stored: (sha256: string) => Promise<boolean>,
  createdBefore?: string
): Promise<number> {
  let candidates = db
    .selectFrom('blobs')
    .select('sha256')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('artifacts')
            .select('sha256')
            .whereRef('artifacts.sha256', '=', 'blobs.sha256')
        )
      )
    );
  if (createdBefore !== undefined) {
    candidates = candidates.where('created_at', '<', createdBefore);
  }
  let removed = 0;
  for (const { sha256 } of await candidates.execute()) {
    if (await stored(sha256)) {
      continue;
    }
    let remove = db
      .deleteFrom('blobs')
      .where('sha256', '=', sha256)
      .where(unreferenced(sha256));
    if (createdBefore !== undefined) {
      remove = remove.where('created_at', '<', createdBefore);
    }
    const r = await remove
      .executeTakeFirst()
      .catch(() => ({ numDeletedRows: 0n }));
    removed += Number(r.numDeletedRows);
  }
  return removed;
}
