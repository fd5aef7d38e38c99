import {
  sql,
  type ExpressionBuilder,
  type Expression,
  type SqlBool
} from 'kysely';
import type { CandidateRow, Database, Db } from '../db/database';
import { decodeCursor, encodeCursor } from '../domain/cursor';
import type { Clause, OrderBy } from '../domain/filter';

export interface CandidateSearch {
  modelId: number;
  status?: string;
  experiment?: string;
  pipeline?: string;
  commit?: string;
  mergeRequest?: string;
  clauses: Clause[];
  order: OrderBy;
  cursor?: string;
  limit: number;
}

type Eb = ExpressionBuilder<
  Database & { om: Database['latest_metrics'] },
  'candidates' | 'om'
>;

function escapeLike(v: string) {
  return v.replace(/[\\%_]/g, c => '\\' + c);
}

function compare(
  eb: Eb,
  column: Expression<unknown>,
  op: Clause['op'],
  value: string | number
): Expression<SqlBool> {
  // LIKE is case-sensitive on both engines (SQLite runs with case_sensitive_like); ILIKE is not.
  if (op === 'LIKE') {
    return eb(column as any, 'like', value as any);
  }
  if (op === 'ILIKE') {
    return eb(
      eb.fn('lower', [column as any]),
      'like',
      String(value).toLowerCase() as any
    );
  }
  return eb(column as any, op === '!=' ? '<>' : op, value as any);
}

function clauseExpr(eb: Eb, c: Clause): Expression<SqlBool> {
  if (c.kind === 'metric') {
    return eb.exists(
      eb
        .selectFrom('latest_metrics as f')
        .select('f.key')
        .whereRef('f.candidate_id', '=', 'candidates.id')
        .where('f.key', '=', c.key)
        .where(e =>
          compare(e as unknown as Eb, e.ref('f.value'), c.op, c.value)
        )
    );
  }
  if (c.kind === 'param' || c.kind === 'tag') {
    const table = c.kind === 'param' ? 'params' : 'candidate_tags';
    return eb.exists(
      eb
        .selectFrom(`${table} as f` as 'params as f')
        .select('f.key')
        .whereRef('f.candidate_id', '=', 'candidates.id')
        .where('f.key', '=', c.key)
        .where(e =>
          compare(e as unknown as Eb, e.ref('f.value'), c.op, c.value)
        )
    );
  }
  if (c.key === 'experiment') {
    return eb.exists(
      eb
        .selectFrom('experiments as f')
        .select('f.id')
        .whereRef('f.id', '=', 'candidates.experiment_id')
        .where(e => compare(e as unknown as Eb, e.ref('f.name'), c.op, c.value))
    );
  }
  return compare(
    eb,
    eb.ref(`candidates.${c.key}` as 'candidates.status'),
    c.op,
    c.value
  );
}

/** Candidates of one model, filtered, in a stable order, one keyset page at a time. */
export async function searchCandidates(
  db: Db,
  s: CandidateSearch
): Promise<{ rows: CandidateRow[]; next_cursor: string | null }> {
  let q = db
    .selectFrom('candidates')
    .where('candidates.model_id', '=', s.modelId);
  if (s.status) {
    q = q.where('candidates.status', '=', s.status);
  }
  if (s.pipeline) {
    q = q.where('candidates.ci_pipeline_id', '=', s.pipeline);
  }
  if (s.mergeRequest) {
    q = q.where('candidates.ci_merge_request', '=', s.mergeRequest);
  }
  // Short shas match as prefixes, like git.
  if (s.commit) {
    q = q.where(
      sql`candidates.git_commit`,
      'like',
      sql`${escapeLike(s.commit) + '%'} escape '\\'`
    );
  }
  if (s.experiment) {
    q = q.where(eb =>
      eb.exists(
        eb
          .selectFrom('experiments')
          .select('experiments.id')
          .whereRef('experiments.id', '=', 'candidates.experiment_id')
          .where('experiments.name', '=', s.experiment!)
      )
    );
  }
  for (const c of s.clauses) {
    q = q.where(eb => clauseExpr(eb as unknown as Eb, c));
  }

  const after = decodeCursor(s.cursor);
  const { dir } = s.order;
  const cmp = dir === 'desc' ? '<' : '>';
  let rows: CandidateRow[];
  let cursorOf: (r: CandidateRow & { sort_value?: number | null }) => unknown[];
  if (s.order.kind === 'metric') {
    let mq = q
      .leftJoin('latest_metrics as om', j =>
        j
          .onRef('om.candidate_id', '=', 'candidates.id')
          .on('om.key', '=', s.order.key!)
      )
      .selectAll('candidates')
      .select('om.value as sort_value');
    if (after) {
      const [isNull, value, iid] = after as [number, number, number];
      mq = mq.where(eb =>
        isNull
          ? eb.and([eb('om.value', 'is', null), eb('candidates.iid', cmp, iid)])
          : eb.or([
              eb('om.value', 'is', null),
              eb('om.value', cmp, value),
              eb.and([
                eb('om.value', '=', value),
                eb('candidates.iid', cmp, iid)
              ])
            ])
      );
    }
    // Candidates without the metric come last in both directions.
    rows = await mq
      .orderBy(sql`(om.value is null)`)
      .orderBy('om.value', dir)
      .orderBy('candidates.iid', dir)
      .limit(s.limit + 1)
      .execute();
    cursorOf = r =>
      r.sort_value === null || r.sort_value === undefined
        ? [1, 0, r.iid]
        : [0, r.sort_value, r.iid];
  } else if (s.order.kind === 'created_at') {
    let cq = q.selectAll('candidates');
    if (after) {
      const [at, iid] = after as [string, number];
      cq = cq.where(eb =>
        eb.or([
          eb('candidates.created_at', cmp, at),
          eb.and([
            eb('candidates.created_at', '=', at),
            eb('candidates.iid', cmp, iid)
          ])
        ])
      );
    }
    rows = await cq
      .orderBy('candidates.created_at', dir)
      .orderBy('candidates.iid', dir)
      .limit(s.limit + 1)
      .execute();
    cursorOf = r => [r.created_at, r.iid];
  } else {
    let iq = q.selectAll('candidates');
    if (after) {
      iq = iq.where('candidates.iid', cmp, Number(after[0]));
    }
    rows = await iq
      .orderBy('candidates.iid', dir)
      .limit(s.limit + 1)
      .execute();
    cursorOf = r => [r.iid];
  }
  const page = rows.slice(0, s.limit);
  return {
    rows: page.map(r => {
      const { sort_value: _omit, ...row } = r as CandidateRow & {
        sort_value?: unknown;
      };
      return row as CandidateRow;
    }),
    next_cursor:
      rows.length > s.limit
        ? encodeCursor(cursorOf(page[page.length - 1]))
        : null
  };
}
