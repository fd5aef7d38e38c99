import type { FastifyInstance } from 'fastify';
import { context, input, optNum, optStr, strList } from './context';
import { invalidParam } from './errors';
import {
  compareValues,
  matches,
  page,
  parseFilter,
  parseOrderBy,
  type Clause,
  type OrderTerm
} from './filter';
import { experimentIds } from './store';
import { resolveExperimentId } from './experiments';
import { runsJson } from './views';
import { runsOfExperiment, searchRunsInDatabase } from './run-search-sql';

type RunJson = Awaited<ReturnType<typeof runsJson>>[number];

const ATTRIBUTES: Record<string, (r: RunJson) => string | number | undefined> =
  {
    run_id: r => r.info.run_id,
    run_name: r => r.info.run_name,
    status: r => r.info.status,
    start_time: r => r.info.start_time,
    end_time: r => (r.info as { end_time?: number }).end_time,
    user_id: r => r.info.user_id,
    artifact_uri: r => r.info.artifact_uri,
    lifecycle_stage: r => r.info.lifecycle_stage,
    experiment_id: r => r.info.experiment_id
  };

function valueOf(
  r: RunJson,
  kind: Clause['kind'],
  key: string
): string | number | undefined {
  switch (kind) {
    case 'metric':
      return r.data.metrics.find(x => x.key === key)?.value;
    case 'param':
      return r.data.params.find(x => x.key === key)?.value;
    case 'tag':
      return r.data.tags.find(x => x.key === key)?.value;
    default: {
      const get =
        ATTRIBUTES[
          key === 'run_uuid' ? 'run_id' : key === 'created' ? 'start_time' : key
        ];
      if (!get) {
        throw invalidParam(
          `Invalid attribute key '${key}' specified. Valid keys are '${Object.keys(ATTRIBUTES).join("', '")}'`
        );
      }
      return get(r);
    }
  }
}

function byTerms(terms: OrderTerm[]) {
  return (a: RunJson, b: RunJson) => {
    for (const t of terms) {
      const c = compareValues(
        valueOf(a, t.kind, t.key),
        valueOf(b, t.kind, t.key),
        t.desc
      );
      if (c) {
        return c;
      }
    }
    return a.info.run_id < b.info.run_id ? -1 : 1;
  };
}

/** `runs/search`: in the database when it can (see run-search-sql.ts), else in memory over the experiments' runs. */
export async function runSearchRoutes(app: FastifyInstance): Promise<void> {
  const db = app.db;
  app.post('/runs/search', async request => {
    const ctx = await context(request);
    const inp = input(request);
    const clauses = parseFilter(optStr(inp, 'filter'));
    const terms = parseOrderBy(strList(inp, 'order_by'));
    const view = optStr(inp, 'run_view_type') ?? 'ACTIVE_ONLY';
    const maxResults = optNum(inp, 'max_results') ?? 1000;
    const experiments = [];
    for (const id of strList(inp, 'experiment_ids')) {
      experiments.push(await resolveExperimentId(db, ctx, id));
    }
    const ids = await experimentIds(db, ctx.group.id);
    if (experiments.length === 1) {
      const e = experiments[0];
      const found = await searchRunsInDatabase(
        db,
        e,
        clauses,
        terms,
        view,
        maxResults,
        optStr(inp, 'page_token')
      );
      if (found) {
        return {
          runs: await runsJson(db, ids, found.rows),
          ...(found.next_page_token
            ? { next_page_token: found.next_page_token }
            : {})
        };
      }
    }
    const runs: RunJson[] = [];
    for (const e of experiments) {
      const rows = await runsOfExperiment(db, e, view).execute();
      runs.push(...(await runsJson(db, ids, rows)));
    }
    const hits = runs.filter(r =>
      clauses.every(c => matches(c, valueOf(r, c.kind, c.key)))
    );
    hits.sort(
      byTerms([...terms, { kind: 'attribute', key: 'start_time', desc: true }])
    );
    const p = page(hits, maxResults, optStr(inp, 'page_token'));
    return {
      runs: p.items,
      ...(p.next_page_token ? { next_page_token: p.next_page_token } : {})
    };
  });
}
