import crypto from 'node:crypto';
import type { CandidateRow, Db } from '../db/database';
import { nowIso } from '../db/database';
import { ApiError, notFound, versionLocked } from '../errors';
import { emitEvent } from '../outbox/events';
import { recordActivity } from './activity';
import { assertProvenanceUrls } from '../domain/web-url';
import { datasetsOf } from './candidate-datasets';
import { insertMetrics } from './metrics';
import type {
  CandidateInput,
  CandidatePatch,
  CandidateView
} from '../schemas/objects';

export type Provenance = Record<string, unknown>;

export type { CandidateInput, CandidatePatch };

/** CI and git fields are copied out of provenance so candidates can be listed by them. */
function linkage(p: Provenance) {
  const ci = (p.ci ?? {}) as Record<string, unknown>;
  const git = (p.git ?? {}) as Record<string, unknown>;
  const s = (v: unknown) =>
    v === undefined || v === null || v === '' ? null : String(v);
  return {
    ci_pipeline_id: s(ci.pipeline_id),
    ci_merge_request: s(ci.merge_request),
    git_commit: s(git.commit) ?? s(ci.commit)
  };
}

/** One level deep: {"git": {"commit": ...}} updates git.commit and keeps git.branch. */
export function mergeProvenance(
  base: Provenance,
  patch: Provenance
): Provenance {
  const out: Provenance = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const old = out[k];
    out[k] = isPlainObject(old) && isPlainObject(v) ? { ...old, ...v } : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function experimentId(
  db: Db,
  modelId: number,
  name: string | null | undefined
): Promise<number | null> {
  if (!name) {
    return null;
  }
  // Experiments belong to the group; the first model to use a name becomes the experiment's home.
  const { group_id: groupId } = await db
    .selectFrom('models')
    .select('group_id')
    .where('id', '=', modelId)
    .executeTakeFirstOrThrow();
  await db
    .insertInto('experiments')
    .values({
      group_id: groupId,
      model_id: modelId,
      name,
      created_at: nowIso()
    })
    .onConflict(oc => oc.columns(['group_id', 'name']).doNothing())
    .execute();
  const row = await db
    .selectFrom('experiments')
    .select('id')
    .where('group_id', '=', groupId)
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The counter row is updated in the caller's transaction: concurrent creators get distinct iids. */
async function takeIid(trx: Db, modelId: number): Promise<number> {
  const { last_candidate_iid: iid } = await trx
    .updateTable('models')
    .set(eb => ({
      last_candidate_iid: eb('last_candidate_iid', '+', 1),
      candidate_count: eb('candidate_count', '+', 1)
    }))
    .where('id', '=', modelId)
    .returning('last_candidate_iid')
    .executeTakeFirstOrThrow();
  return iid;
}

export async function createCandidate(
  db: Db,
  modelId: number,
  input: CandidateInput,
  author: string
): Promise<CandidateRow> {
  return db.transaction().execute(async trx => {
    const iid = await takeIid(trx, modelId);
    const now = nowIso();
    const provenance = input.provenance ?? {};
    assertProvenanceUrls(provenance);
    const row = await trx
      .insertInto('candidates')
      .values({
        model_id: modelId,
        iid,
        run_id: crypto.randomUUID().replace(/-/g, ''),
        name: input.name ?? '',
        experiment_id: await experimentId(trx, modelId, input.experiment),
        status: input.status ?? 'running',
        provenance: JSON.stringify(provenance),
        author,
        ...linkage(provenance),
        locked: 0,
        created_at: now,
        updated_at: now
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await insertKeyValues(trx, 'params', row.id, input.params ?? {});
    await insertKeyValues(trx, 'candidate_tags', row.id, input.tags ?? {});
    if (input.metrics?.length) {
      await insertMetrics(trx, row.id, input.metrics);
    }
    await recordActivity(trx, modelId, 'candidate.logged', author, {
      iid,
      name: row.name
    });
    await emitEvent(
      trx,
      modelId,
      'candidate.created',
      author,
      candidateEventObject(row)
    );
    return row;
  });
}

export async function findCandidate(
  db: Db,
  modelId: number,
  iid: number
): Promise<CandidateRow> {
  const row = await db
    .selectFrom('candidates')
    .selectAll()
    .where('model_id', '=', modelId)
    .where('iid', '=', iid)
    .executeTakeFirst();
  if (!row) {
    throw notFound(`candidate ${iid}`);
  }
  return row;
}

/**
 * Claims the candidate for a change inside `trx`. The guarded UPDATE takes the row lock, so a
 * concurrent promotion either commits first (and this finds locked = 1) or waits for us.
 */
export async function claimForWrite(
  trx: Db,
  candidate: { id: number; iid: number }
): Promise<void> {
  const r = await trx
    .updateTable('candidates')
    .set({ updated_at: nowIso() })
    .where('id', '=', candidate.id)
    .where('locked', '=', 0)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) {
    throw versionLocked(`candidate ${candidate.iid}`);
  }
}

export async function patchCandidate(
  db: Db,
  candidate: CandidateRow,
  patch: CandidatePatch,
  actor: string = candidate.author
): Promise<void> {
  await db.transaction().execute(async trx => {
    await claimForWrite(trx, candidate);
    const before =
      patch.status !== undefined
        ? await trx
            .selectFrom('candidates')
            .select('status')
            .where('id', '=', candidate.id)
            .executeTakeFirstOrThrow()
        : null;
    const values: Record<string, unknown> = {};
    if (patch.name !== undefined) {
      values.name = patch.name;
    }
    if (patch.status !== undefined) {
      values.status = patch.status;
    }
    if (patch.status_reason !== undefined) {
      values.status_reason = patch.status_reason;
    }
    if (patch.experiment !== undefined) {
      values.experiment_id = await experimentId(
        trx,
        candidate.model_id,
        patch.experiment
      );
    }
    if (patch.provenance !== undefined) {
      assertProvenanceUrls(patch.provenance);
      // Re-read inside the transaction so two concurrent merges do not lose each other's keys.
      const cur = await trx
        .selectFrom('candidates')
        .select('provenance')
        .where('id', '=', candidate.id)
        .executeTakeFirstOrThrow();
      const merged = mergeProvenance(
        JSON.parse(cur.provenance),
        patch.provenance
      );
      values.provenance = JSON.stringify(merged);
      Object.assign(values, linkage(merged));
    }
    if (Object.keys(values).length) {
      await trx
        .updateTable('candidates')
        .set(values)
        .where('id', '=', candidate.id)
        .execute();
    }
    if (patch.params) {
      await addParams(trx, candidate.id, patch.params);
    }
    if (
      before &&
      before.status !== patch.status &&
      (patch.status === 'finished' || patch.status === 'failed')
    ) {
      const row = await trx
        .selectFrom('candidates')
        .selectAll()
        .where('id', '=', candidate.id)
        .executeTakeFirstOrThrow();
      await emitEvent(
        trx,
        candidate.model_id,
        `candidate.${patch.status}`,
        actor,
        candidateEventObject(row)
      );
    }
    for (const [key, value] of Object.entries(patch.tags ?? {})) {
      if (value === null) {
        await trx
          .deleteFrom('candidate_tags')
          .where('candidate_id', '=', candidate.id)
          .where('key', '=', key)
          .execute();
      } else {
        await trx
          .insertInto('candidate_tags')
          .values({ candidate_id: candidate.id, key, value: String(value) })
          .onConflict(oc =>
            oc
              .columns(['candidate_id', 'key'])
              .doUpdateSet({ value: String(value) })
          )
          .execute();
      }
    }
  });
}

/** Params are write-once (like MLflow): re-sending the same value is fine, a different one is 409. */
async function addParams(
  trx: Db,
  candidateId: number,
  params: Record<string, string>
): Promise<void> {
  const entries = Object.entries(params);
  if (!entries.length) {
    return;
  }
  const existing = await trx
    .selectFrom('params')
    .select(['key', 'value'])
    .where('candidate_id', '=', candidateId)
    .where(
      'key',
      'in',
      entries.map(([k]) => k)
    )
    .execute();
  const have = new Map(existing.map(p => [p.key, p.value]));
  for (const [key, value] of entries) {
    if (have.has(key) && have.get(key) !== String(value)) {
      throw new ApiError(
        'PARAM_ALREADY_SET',
        `param "${key}" is already "${have.get(key)}"; params are write-once, log a new candidate to change it`
      );
    }
  }
  const fresh = entries.filter(([k]) => !have.has(k));
  await insertKeyValues(trx, 'params', candidateId, Object.fromEntries(fresh));
}

/** Rows per INSERT: 3 bound values each stays far below SQLite's 32,766-variable limit. */
const KEY_VALUE_CHUNK = 500;

/** Inserts params or tags in chunks, so no number of them overflows a statement's variables. */
async function insertKeyValues(
  trx: Db,
  table: 'params' | 'candidate_tags',
  candidateId: number,
  values: Record<string, unknown>
): Promise<void> {
  const rows = Object.entries(values).map(([key, value]) => ({
    candidate_id: candidateId,
    key,
    value: String(value)
  }));
  for (let i = 0; i < rows.length; i += KEY_VALUE_CHUNK) {
    await trx
      .insertInto(table)
      .values(rows.slice(i, i + KEY_VALUE_CHUNK))
      .execute();
  }
}

export async function deleteCandidate(
  db: Db,
  candidate: CandidateRow,
  actor: string
): Promise<void> {
  await db.transaction().execute(async trx => {
    await claimForWrite(trx, candidate);
    await trx.deleteFrom('candidates').where('id', '=', candidate.id).execute();
    await trx
      .updateTable('models')
      .set(eb => ({ candidate_count: eb('candidate_count', '-', 1) }))
      .where('id', '=', candidate.model_id)
      .execute();
    await recordActivity(trx, candidate.model_id, 'candidate.deleted', actor, {
      iid: candidate.iid
    });
  });
}

/**
 * Files a candidate under another model of its group (a new iid there), keeping everything it holds:
 * how an MLflow run reaches the model it is registered to without being copied.
 */
export async function moveCandidate(
  db: Db,
  candidate: CandidateRow,
  toModelId: number,
  actor: string
): Promise<CandidateRow> {
  return db.transaction().execute(async trx => {
    const iid = await takeIid(trx, toModelId);
    await trx
      .updateTable('models')
      .set(eb => ({ candidate_count: eb('candidate_count', '-', 1) }))
      .where('id', '=', candidate.model_id)
      .execute();
    const moved = await trx
      .updateTable('candidates')
      .set({ model_id: toModelId, iid, updated_at: nowIso() })
      .where('id', '=', candidate.id)
      .where('locked', '=', 0)
      .returningAll()
      .executeTakeFirst();
    if (!moved) {
      throw versionLocked(
        `candidate ${candidate.iid} is promoted; it stays in its model`
      );
    }
    await recordActivity(trx, toModelId, 'candidate.moved', actor, {
      iid,
      from_model_id: candidate.model_id,
      from_iid: candidate.iid
    });
    return moved;
  });
}

/** The API shape of many candidates, loading their parts in a few batched queries. */
export async function candidateViews(
  db: Db,
  rows: CandidateRow[],
  modelFullName: string
): Promise<CandidateView[]> {
  if (!rows.length) {
    return [];
  }
  const ids = rows.map(r => r.id);
  const expIds = [
    ...new Set(
      rows.map(r => r.experiment_id).filter((x): x is number => x !== null)
    )
  ];
  const [params, tags, metrics, counts, versions, experiments, datasets] =
    await Promise.all([
      db
        .selectFrom('params')
        .selectAll()
        .where('candidate_id', 'in', ids)
        .execute(),
      db
        .selectFrom('candidate_tags')
        .selectAll()
        .where('candidate_id', 'in', ids)
        .execute(),
      db
        .selectFrom('latest_metrics')
        .select(['candidate_id', 'key', 'value', 'step', 'timestamp'])
        .where('candidate_id', 'in', ids)
        .execute(),
      db
        .selectFrom('artifacts')
        .select(['candidate_id', eb => eb.fn.countAll<number>().as('n')])
        .where('candidate_id', 'in', ids)
        .groupBy('candidate_id')
        .execute(),
      db
        .selectFrom('versions')
        .select(['candidate_id', 'version'])
        .where('candidate_id', 'in', ids)
        .execute(),
      expIds.length
        ? db
            .selectFrom('experiments')
            .select(['id', 'name'])
            .where('id', 'in', expIds)
            .execute()
        : Promise.resolve([]),
      datasetsOf(db, ids)
    ]);
  const group = <T extends { candidate_id: number }>(xs: T[]) => {
    const m = new Map<number, T[]>();
    for (const x of xs) {
      (
        m.get(x.candidate_id) ?? m.set(x.candidate_id, []).get(x.candidate_id)!
      ).push(x);
    }
    return m;
  };
  const p = group(params),
    t = group(tags),
    mt = group(metrics);
  const n = new Map(counts.map(c => [c.candidate_id, Number(c.n)]));
  const v = new Map(versions.map(x => [x.candidate_id, x.version]));
  const e = new Map(experiments.map(x => [x.id, x.name]));
  return rows.map(r => ({
    iid: r.iid,
    run_id: r.run_id,
    model: modelFullName,
    name: r.name,
    experiment:
      r.experiment_id !== null ? (e.get(r.experiment_id) ?? null) : null,
    status: r.status,
    params: Object.fromEntries((p.get(r.id) ?? []).map(x => [x.key, x.value])),
    metrics: Object.fromEntries(
      (mt.get(r.id) ?? []).map(x => [
        x.key,
        { value: x.value, step: Number(x.step), timestamp: Number(x.timestamp) }
      ])
    ),
    tags: Object.fromEntries((t.get(r.id) ?? []).map(x => [x.key, x.value])),
    provenance: JSON.parse(r.provenance) as Provenance,
    author: r.author,
    created_at: r.created_at,
    updated_at: r.updated_at,
    version: v.get(r.id) ?? null,
    locked: r.locked === 1,
    artifact_count: n.get(r.id) ?? 0,
    datasets: (datasets.get(r.id) ?? []).map(d => ({
      name: d.name,
      digest: d.digest,
      context: d.context || null,
      source: d.source,
      schema: d.schema
    })),
    lease_expires_at: r.status === 'running' ? r.lease_expires_at : null,
    status_reason: r.status_reason
  }));
}

export type { CandidateView };

/** What candidate.* events carry: the candidate's identity, status and CI/git linkage. */
export function candidateEventObject(row: CandidateRow) {
  return {
    iid: row.iid,
    run_id: row.run_id,
    name: row.name,
    status: row.status,
    author: row.author,
    pipeline: row.ci_pipeline_id,
    merge_request: row.ci_merge_request,
    commit: row.git_commit
  };
}
