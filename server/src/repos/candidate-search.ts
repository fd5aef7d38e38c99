import {
  sql,
  type AliasableExpression,
  type ExpressionBuilder,
  type Expression,
  type SelectQueryBuilder,
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

/** The search's filters, applied to any query that has `candidates` in scope; `clauses` replaces s.clauses. */
function narrowTo<QB extends SelectQueryBuilder<any, any, any>>(
  qb: QB,
  s: CandidateSearch,
  clauses: Clause[] = s.clauses
): QB {
  let q = qb.where('candidates.model_id', '=', s.modelId) as QB;
  if (s.status) {
    q = q.where('candidates.status', '=', s.status) as QB;
  }
  if (s.pipeline) {
    q = q.where('candidates.ci_pipeline_id', '=', s.pipeline) as QB;
  }
  if (s.mergeRequest) {
    q = q.where('candidates.ci_merge_request', '=', s.mergeRequest) as QB;
  }
  // Short shas match as prefixes, like git.
  if (s.commit) {
    q = q.where(
      sql`candidates.git_commit`,
      'like',
      sql`${escapeLike(s.commit) + '%'} escape '\\'`
    ) as QB;
  }
  if (s.experiment) {
    q = q.where((eb: ExpressionBuilder<Database, 'candidates'>) =>
      eb.exists(
        eb
          .selectFrom('experiments')
          .select('experiments.id')
          .whereRef('experiments.id', '=', 'candidates.experiment_id')
          .where('experiments.name', '=', s.experiment!)
      )
    ) as QB;
  }
  for (const c of clauses) {
    q = q.where((eb: Eb) => clauseExpr(eb, c)) as QB;
  }
  return q;
}

/**
 * Whether a metric-ordered page is cheaper found by walking the metric's (key, value, candidate)
 * index across all models, or by reading this model's candidates and sorting them. Walking visits
 * about `page * all candidates / this model's candidates` index entries before a page is full;
 * scanning visits every candidate of the model. A sweep of a million candidates must walk (a scan
 * and sort of the whole sweep takes seconds); a model of 100 among many must scan.
 */
async function walkPays(db: Db, modelId: number, page: number) {
  const model = await db
    .selectFrom('models')
    .select('last_candidate_iid')
    .where('id', '=', modelId)
    .executeTakeFirst();
  const all = await db
    .selectFrom('candidates')
    .select(eb => eb.fn.max('id').as('max_id'))
    .executeTakeFirst();
  const mine = Number(model?.last_candidate_iid ?? 0);
  const total = Number(all?.max_id ?? 0);
  // A walked entry costs a join lookup, a scanned one a sort slot: weigh the walk 4x.
  return page * total * 4 < mine * mine;
}

type Ranked = CandidateRow & { sort_value: number | null };

/**
 * The walk of the ordering metric's index, joined (in this order, which SQLite keeps for CROSS
 * JOIN) to each metric/param/tag filter, then to the candidate row. As joins rather than EXISTS
 * subqueries the metric filters read latest_metrics_cover_idx alone (an EXISTS picks the primary
 * key and then visits the table row), and a candidate row is read only for entries that passed
 * them: a deep page of a 1,000,000-candidate sweep on a cold cache, 14 -> 7 ms. (candidate_id,
 * key) is unique in all three tables, so a join never repeats a candidate. Returns the clauses
 * left for narrowTo.
 */
function walkJoins(db: Db, table: 'latest_metrics', s: CandidateSearch) {
  let qb = db.selectFrom(`${table} as om` as 'latest_metrics as om');
  const rest: Clause[] = [];
  s.clauses.forEach((c, i) => {
    if (c.kind !== 'metric' && c.kind !== 'param' && c.kind !== 'tag') {
      rest.push(c);
      return;
    }
    const alias = `f${i}`;
    const from = {
      metric: 'latest_metrics',
      param: 'params',
      tag: 'candidate_tags'
    }[c.kind];
    qb = qb
      .crossJoin(`${from} as ${alias}` as 'latest_metrics as om')
      .where(sql.ref(`${alias}.candidate_id`), '=', sql.ref('om.candidate_id'))
      .where(sql.ref(`${alias}.key`), '=', c.key)
      .where(eb =>
        compare(eb as unknown as Eb, sql.ref(`${alias}.value`), c.op, c.value)
      ) as typeof qb;
  });
  return {
    qb: qb
      .crossJoin('candidates')
      .whereRef('candidates.id', '=', 'om.candidate_id'),
    rest
  };
}

/**
 * Candidates ordered by a metric's (or a param's) value: first those that have it, by (value,
 * candidate id) on the metric's index, then (both directions) those without it, by iid. The
 * cursor says which part the page ended in: [0, value, id] or [1, 0, iid]. Params have no
 * (key, value) index, so they are always read and sorted; their values sort as text.
 */
async function byValue(
  db: Db,
  s: CandidateSearch,
  after: unknown[] | null
): Promise<Ranked[]> {
  const key = s.order.key!;
  const { dir } = s.order;
  const cmp = dir === 'desc' ? '<' : '>';
  // Typed as latest_metrics: both tables have (candidate_id, key, value).
  const table = (
    s.order.kind === 'param' ? 'params' : 'latest_metrics'
  ) as 'latest_metrics';
  const rows: Ranked[] = [];
  if (!after || after[0] === 0) {
    const walk =
      table === 'latest_metrics' &&
      (await walkPays(db, s.modelId, s.limit + 1));
    // CROSS JOIN makes SQLite keep latest_metrics as the outer loop (its documented hint);
    // PostgreSQL plans it as the inner join it is.
    const joined = walk
      ? walkJoins(db, table, s)
      : {
          qb: db
            .selectFrom('candidates')
            .innerJoin(
              `${table} as om` as 'latest_metrics as om',
              'om.candidate_id',
              'candidates.id'
            ),
          rest: s.clauses
        };
    let mq = narrowTo(joined.qb, s, joined.rest)
      .where('om.key', '=', key)
      .where('om.value', 'is not', null)
      .selectAll('candidates')
      .select('om.value as sort_value');
    if (after) {
      const [, value, id] = after as [number, number, number];
      mq = mq.where(eb =>
        eb(eb.refTuple('om.value', 'om.candidate_id'), cmp, eb.tuple(value, id))
      );
    }
    rows.push(
      ...((await mq
        .orderBy('om.value', dir)
        .orderBy('om.candidate_id', dir)
        .limit(s.limit + 1)
        .execute()) as Ranked[])
    );
  }
  if (rows.length <= s.limit) {
    let nq = narrowTo(db.selectFrom('candidates'), s)
      .where(eb =>
        eb.not(
          eb.exists(
            eb
              .selectFrom(`${table} as lm` as 'latest_metrics as lm')
              .select('lm.key')
              .whereRef('lm.candidate_id', '=', 'candidates.id')
              .where('lm.key', '=', key)
              .where('lm.value', 'is not', null)
          )
        )
      )
      .selectAll('candidates');
    if (after && after[0] === 1) {
      nq = nq.where('candidates.iid', cmp, Number(after[2]));
    }
    const rest = await nq
      .orderBy('candidates.iid', dir)
      .limit(s.limit + 1 - rows.length)
      .execute();
    rows.push(...rest.map(r => ({ ...r, sort_value: null })));
  }
  return rows;
}

type ColumnEb = ExpressionBuilder<Database, 'candidates'>;

/**
 * The value a candidate column sorts by. A candidate without an experiment sorts as '' (no
 * experiment name is empty), so keyset comparisons never meet a NULL.
 */
function columnOf(
  kind: Exclude<OrderBy['kind'], 'metric' | 'param' | 'iid'>
): (eb: ColumnEb) => AliasableExpression<string> {
  if (kind === 'experiment') {
    return eb =>
      eb.fn.coalesce(
        eb
          .selectFrom('experiments')
          .select('experiments.name')
          .whereRef('experiments.id', '=', 'candidates.experiment_id'),
        sql<string>`''`
      ) as AliasableExpression<string>;
  }
  return eb =>
    eb.ref(`candidates.${kind}`) as unknown as AliasableExpression<string>;
}

/** Candidates of one model, filtered, in a stable order, one keyset page at a time. */
export async function searchCandidates(
  db: Db,
  s: CandidateSearch
): Promise<{ rows: CandidateRow[]; next_cursor: string | null }> {
  const q = narrowTo(db.selectFrom('candidates'), s);
  const after = decodeCursor(s.cursor);
  const { dir } = s.order;
  const cmp = dir === 'desc' ? '<' : '>';
  let rows: CandidateRow[];
  let cursorOf: (r: CandidateRow & { sort_value?: unknown }) => unknown[];
  if (s.order.kind === 'metric' || s.order.kind === 'param') {
    rows = await byValue(db, s, after);
    cursorOf = r =>
      r.sort_value === null || r.sort_value === undefined
        ? [1, 0, r.iid]
        : [0, r.sort_value, r.id];
  } else if (s.order.kind !== 'iid') {
    const column = columnOf(s.order.kind);
    let cq = q
      .selectAll('candidates')
      .select(eb => column(eb).as('sort_value'));
    if (after) {
      const [value, iid] = after as [string, number];
      cq = cq.where(eb =>
        eb.or([
          eb(column(eb), cmp, value),
          eb.and([eb(column(eb), '=', value), eb('candidates.iid', cmp, iid)])
        ])
      );
    }
    rows = await cq
      .orderBy(eb => column(eb), dir)
      .orderBy('candidates.iid', dir)
      .limit(s.limit + 1)
      .execute();
    cursorOf = r => [r.sort_value, r.iid];
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
