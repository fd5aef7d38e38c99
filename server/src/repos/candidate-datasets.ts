import type { Database, Db } from '../db/database';
import { nowIso } from '../db/database';
import { claimForWrite } from './candidates';

export type DatasetRow = Database['candidate_datasets'];
export type DatasetInput = Omit<DatasetRow, 'candidate_id' | 'created_at'>;

/**
 * Records the datasets a candidate used. As in MLflow, a dataset (name, digest) is one input of a run:
 * logging it again keeps the first record. A promoted (locked) candidate's lineage is part of its
 * version, so it refuses new inputs (VERSION_LOCKED).
 */
export async function addDatasets(
  db: Db,
  candidate: { id: number; iid: number },
  datasets: DatasetInput[]
): Promise<void> {
  await db.transaction().execute(async trx => {
    await claimForWrite(trx, candidate);
    const createdAt = nowIso();
    for (const d of datasets) {
      await trx
        .insertInto('candidate_datasets')
        .values({ ...d, candidate_id: candidate.id, created_at: createdAt })
        .onConflict(oc =>
          oc.columns(['candidate_id', 'name', 'digest']).doNothing()
        )
        .execute();
    }
  });
}

/** The datasets of many candidates, in the order they were logged. */
export async function datasetsOf(
  db: Db,
  candidateIds: number[]
): Promise<Map<number, DatasetRow[]>> {
  const out = new Map<number, DatasetRow[]>();
  if (!candidateIds.length) {
    return out;
  }
  const rows = await db
    .selectFrom('candidate_datasets')
    .selectAll()
    .where('candidate_id', 'in', candidateIds)
    .orderBy('created_at')
    .orderBy('name')
    .execute();
  for (const r of rows) {
    (
      out.get(r.candidate_id) ??
      out.set(r.candidate_id, []).get(r.candidate_id)!
    ).push(r);
  }
  return out;
}

/** A linked candidate (a registration of another model's run) keeps the lineage of its source. */
export async function copyDatasets(
  db: Db,
  fromCandidateId: number,
  toCandidateId: number
): Promise<void> {
  const rows = await db
    .selectFrom('candidate_datasets')
    .selectAll()
    .where('candidate_id', '=', fromCandidateId)
    .execute();
  for (const r of rows) {
    await db
      .insertInto('candidate_datasets')
      .values({ ...r, candidate_id: toCandidateId })
      .onConflict(oc =>
        oc.columns(['candidate_id', 'name', 'digest']).doNothing()
      )
      .execute();
  }
}
