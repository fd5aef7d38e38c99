import { PostgresAdapter, sql, type ExpressionBuilder } from 'kysely';
import type { CandidateRow, Database, Db } from '../db/database';
import {
  decodePageToken,
  encodePageToken,
  type Clause,
  type OrderTerm
} from './filter';
import { m, type Experiment, type MlflowTables } from './store';

/**
 * `runs/search` in the database for the common case (one experiment; metric, param, tag and simple attribute
 * comparisons; ordering by metrics, params, name or start time), so a model with 100,000 candidates pages
 * without loading them. Anything else returns null and is searched in memory.
 */
type Eb = ExpressionBuilder<Database & MlflowTables & Record<string, any>, any>;

const EQUALITY = new Set(['=', '!=', 'IN', 'NOT IN']);
const NUMERIC = new Set(['=', '!=', '>', '>=', '<', '<=']);
const STATUS_IN: Record<string, string> = {
  RUNNING: 'running',
  SCHEDULED: 'running',
  FINISHED: 'finished',
  FAILED: 'failed',
  KILLED: 'failed'
};
const ATTRIBUTE_COLUMN: Record<string, string> = {
  run_name: 'candidates.name',
  run_id: 'candidates.run_id',
  run_uuid: 'candidates.run_id',
  // user_id is what the MLflow client sent (mlflow_runs.user_id, else the author): searched in memory.
  status: 'candidates.status'
};

function supported(c: Clause): boolean {
  if (c.kind === 'metric') {
    return NUMERIC.has(c.op) && typeof c.value === 'number';
  }
  if (c.kind === 'param' || c.kind === 'tag') {
    return (
      EQUALITY.has(c.op) &&
      (Array.isArray(c.value) || typeof c.value === 'string')
    );
  }
  return !!ATTRIBUTE_COLUMN[c.key] && EQUALITY.has(c.op);
}

const orderable = (t: OrderTerm) =>
  t.kind === 'metric' ||
  t.kind === 'param' ||
  (t.kind === 'attribute' &&
    ['start_time', 'created', 'run_name'].includes(t.key));

function values(c: Clause): string[] {
  const list = Array.isArray(c.value) ? c.value : [c.value];
  return list.map(v =>
    c.kind === 'attribute' && c.key === 'status'
      ? (STATUS_IN[String(v).toUpperCase()] ?? `?${v}`)
      : String(v)
  );
}

function condition(eb: Eb, c: Clause) {
  if (c.kind === 'metric') {
    return eb.exists(
      eb
        .selectFrom('latest_metrics')
        .select('latest_metrics.key')
        .whereRef('latest_metrics.candidate_id', '=', 'candidates.id')
        .where('latest_metrics.key', '=', c.key)
        .where('latest_metrics.value', c.op as '=', c.value as number)
    );
  }
  const vs = values(c);
  const positive = c.op === '=' || c.op === 'IN';
  // The run name lives in the candidate's name, also when asked for as its tag.
  if (
    c.kind === 'attribute' ||
    (c.kind === 'tag' && c.key === 'mlflow.runName')
  ) {
    const col = c.kind === 'tag' ? 'candidates.name' : ATTRIBUTE_COLUMN[c.key];
    return positive ? eb(col, 'in', vs) : eb(col, 'not in', vs);
  }
  const table = c.kind === 'param' ? 'params' : 'candidate_tags';
  const having = (op: 'in' | 'not in') =>
    eb.exists(
      eb
        .selectFrom(table)
        .select(`${table}.key`)
        .whereRef(`${table}.candidate_id`, '=', 'candidates.id')
        .where(`${table}.key`, '=', c.key)
        .where(`${table}.value`, op, vs)
    );
  if (positive) {
    return having('in');
  }
  // A missing param fails != (MLflow's join semantics); a missing tag passes it (how the client hides prompts).
  return c.kind === 'param' ? having('not in') : eb.not(having('in'));
}

/**
 * A run's MLflow start time in milliseconds: the client's `start_time`, else the candidate's creation
 * (an ISO text column, converted the way each database can).
 */
function startTime(db: Db) {
  const created =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? sql`(extract(epoch from candidates.created_at::timestamptz) * 1000)`
      : sql`((julianday(candidates.created_at) - 2440587.5) * 86400000)`;
  return sql`coalesce(mlflow_runs.start_time, ${created})`;
}

/**
 * The runs of one experiment in a lifecycle view. Candidates without an experiment (logged through modelreg
 * without one) are runs of the group's Default experiment; copies made for a registration are not runs.
 */
export function runsOfExperiment(db: Db, e: Experiment, view: string) {
  let q = m(db)
    .selectFrom('candidates')
    .leftJoin('mlflow_runs', 'mlflow_runs.candidate_id', 'candidates.id')
    .selectAll('candidates');
  q =
    e.mlflowId === '0'
      ? q.where(eb =>
          eb.or([
            eb('candidates.experiment_id', '=', e.id),
            eb.and([
              eb('candidates.experiment_id', 'is', null),
              eb(
                'candidates.model_id',
                'in',
                eb
                  .selectFrom('models')
                  .select('models.id')
                  .where('models.group_id', '=', e.groupId)
              )
            ])
          ])
        )
      : q.where('candidates.experiment_id', '=', e.id);
  if (view === 'ACTIVE_ONLY') {
    q = q.where(eb =>
      eb.or([
        eb('mlflow_runs.lifecycle_stage', 'is', null),
        eb('mlflow_runs.lifecycle_stage', '=', 'active')
      ])
    );
  } else if (view === 'DELETED_ONLY') {
    q = q.where('mlflow_runs.lifecycle_stage', '=', 'deleted');
  } else {
    q = q.where(eb =>
      eb.or([
        eb('mlflow_runs.lifecycle_stage', 'is', null),
        eb('mlflow_runs.lifecycle_stage', '!=', HIDDEN)
      ])
    );
  }
  return q;
}

/** The lifecycle stage of a candidate copied for a registration: not a run of its own. */
export const HIDDEN = 'hidden';

export async function searchRunsInDatabase(
  db: Db,
  e: Experiment,
  clauses: Clause[],
  terms: OrderTerm[],
  view: string,
  maxResults: number,
  token: string | undefined
): Promise<{ rows: CandidateRow[]; next_page_token?: string } | null> {
  if (!clauses.every(supported) || !terms.every(orderable)) {
    return null;
  }
  let q = runsOfExperiment(db, e, view) as any;
  for (const c of clauses) {
    q = q.where((eb: Eb) => condition(eb, c));
  }
  terms.forEach((t, i) => {
    let col: string;
    if (t.kind === 'metric' || t.kind === 'param') {
      const alias = `o${i}`;
      const table = t.kind === 'metric' ? 'latest_metrics' : 'params';
      q = q.leftJoin(`${table} as ${alias}`, (join: any) =>
        join
          .onRef(`${alias}.candidate_id`, '=', 'candidates.id')
          .on(`${alias}.key`, '=', t.key)
      );
      col = `${alias}.value`;
    } else if (t.key === 'run_name') {
      col = 'candidates.name';
    } else {
      q = q.orderBy(startTime(db), t.desc ? 'desc' : 'asc');
      return;
    }
    // Runs without the value go last in both directions, as MLflow orders them.
    q = q
      .orderBy(sql`case when ${sql.ref(col)} is null then 1 else 0 end`)
      .orderBy(col, t.desc ? 'desc' : 'asc');
  });
  // MLflow's own order after the requested one: newest start first, then by run id.
  q = q.orderBy(startTime(db), 'desc').orderBy('candidates.run_id', 'asc');
  const offset = decodePageToken(token);
  const size = Math.min(Math.max(maxResults, 1), 50000);
  const rows = (await q
    .limit(size + 1)
    .offset(offset)
    .execute()) as CandidateRow[];
  return {
    rows: rows.slice(0, size),
    ...(rows.length > size
      ? { next_page_token: encodePageToken(offset + size) }
      : {})
  };
}
