import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/database';
import { validateArtifactPath } from '../domain/artifact-path';
import { createCandidate } from '../repos/candidates';
import { listDir } from './artifacts';
import {
  context,
  input,
  keyValues,
  need,
  optNum,
  optStr,
  str,
  strList,
  type Ctx
} from './context';
import { invalidParam } from './errors';
import { compareValues, matches, page, parseFilter } from './filter';
import { resolveExperimentId } from './experiments';
import { lockedError } from './runs';
import {
  experimentIds,
  loggedModelById,
  m,
  runById,
  setRunStatus,
  type LoggedModelRow
} from './store';
import { LOGGED_STATUS_OUT, loggedModelJson, loggedStatus } from './views';

/**
 * MLflow 3's logged models. Their files live in a candidate under the model's name (`model/MLmodel`):
 * the source run's candidate, or a candidate of their own when logged outside a run.
 */
async function runIdOf(db: Db, row: LoggedModelRow): Promise<string> {
  const c = await db
    .selectFrom('candidates')
    .select('run_id')
    .where('id', '=', row.candidate_id)
    .executeTakeFirstOrThrow();
  return c.run_id;
}

async function json(db: Db, groupId: number, row: LoggedModelRow) {
  return loggedModelJson(
    row,
    await runIdOf(db, row),
    await experimentIds(db, groupId)
  );
}

async function target(
  request: FastifyRequest,
  write: boolean
): Promise<{ ctx: Ctx; row: LoggedModelRow }> {
  const ctx = await context(request);
  if (write) {
    need(ctx, 'developer', 'changing a logged model');
  }
  const id = (request.params as { model_id: string }).model_id;
  return {
    ctx,
    row: await loggedModelById(request.server.db, ctx.group.id, id)
  };
}

/** A logged model whose run was promoted is part of a locked version: its params, tags, status stay. */
async function refuseIfPromoted(
  db: Db,
  groupId: number,
  row: LoggedModelRow
): Promise<void> {
  const c = await db
    .selectFrom('candidates')
    .select(['run_id', 'locked'])
    .where('id', '=', row.candidate_id)
    .executeTakeFirstOrThrow();
  if (c.locked) {
    throw await lockedError(db, await runById(db, groupId, c.run_id));
  }
}

const toMap = (pairs: { key: string; value: string }[]) =>
  Object.fromEntries(pairs.map(p => [p.key, p.value]));

async function update(
  db: Db,
  row: LoggedModelRow,
  patch: Partial<Pick<LoggedModelRow, 'status' | 'tags' | 'params'>>
): Promise<LoggedModelRow> {
  const next = { ...row, ...patch, updated_at: Date.now() };
  await m(db)
    .updateTable('mlflow_logged_models')
    .set({
      status: next.status,
      tags: next.tags,
      params: next.params,
      updated_at: next.updated_at
    })
    .where('model_id', '=', row.model_id)
    .execute();
  return next;
}

function field(
  row: LoggedModelRow,
  runId: string,
  kind: string,
  key: string
): string | number | undefined {
  if (kind === 'tag') {
    return (JSON.parse(row.tags) as Record<string, string>)[key];
  }
  if (kind === 'param') {
    return (JSON.parse(row.params) as Record<string, string>)[key];
  }
  if (kind === 'metric') {
    return undefined;
  }
  switch (key) {
    case 'name':
      return row.name;
    case 'model_id':
      return row.model_id;
    case 'model_type':
      return row.model_type;
    case 'status':
      return LOGGED_STATUS_OUT[row.status] ?? 'LOGGED_MODEL_PENDING';
    case 'source_run_id':
      return row.from_run ? runId : undefined;
    case 'creation_timestamp':
    case 'creation_time':
      return Number(row.created_at);
    case 'last_updated_timestamp':
      return Number(row.updated_at);
    default:
      throw invalidParam(
        `Invalid attribute key '${key}' in a logged model search`
      );
  }
}

export async function loggedModelRoutes(app: FastifyInstance): Promise<void> {
  const db = app.db;

  app.post('/logged-models', async request => {
    const ctx = await context(request);
    need(ctx, 'developer', 'logging a model');
    const inp = input(request);
    const experiment = await resolveExperimentId(
      db,
      ctx,
      str(inp, 'experiment_id')
    );
    const name = optStr(inp, 'name') || 'model';
    validateArtifactPath(name);
    const sourceRunId = optStr(inp, 'source_run_id');
    const modelId = `m-${crypto.randomUUID().replace(/-/g, '')}`;
    let candidateId: number;
    if (sourceRunId) {
      const run = await runById(db, ctx.group.id, sourceRunId);
      if (run.candidate.locked) {
        throw await lockedError(db, run);
      }
      candidateId = run.candidate.id;
    } else {
      const c = await createCandidate(
        db,
        experiment.homeModelId,
        {
          name,
          experiment: experiment.name,
          status: 'running',
          tags: { 'mlflow.loggedModelId': modelId }
        },
        ctx.actor
      );
      candidateId = c.id;
    }
    const now = Date.now();
    const row: LoggedModelRow = {
      model_id: modelId,
      candidate_id: candidateId,
      experiment_id: experiment.id,
      name,
      from_run: sourceRunId ? 1 : 0,
      status: 'pending',
      model_type: optStr(inp, 'model_type') ?? '',
      tags: JSON.stringify(toMap(keyValues(inp, 'tags'))),
      params: JSON.stringify(toMap(keyValues(inp, 'params'))),
      created_at: now,
      updated_at: now
    };
    await m(db).insertInto('mlflow_logged_models').values(row).execute();
    return { model: await json(db, ctx.group.id, row) };
  });

  app.get('/logged-models/:model_id', async request => {
    const { ctx, row } = await target(request, false);
    return { model: await json(db, ctx.group.id, row) };
  });

  app.patch('/logged-models/:model_id', async request => {
    const { ctx, row } = await target(request, true);
    let status: string;
    try {
      status = loggedStatus(str(input(request), 'status'));
    } catch (err) {
      throw err instanceof Error && /unknown/.test(err.message)
        ? invalidParam(err.message)
        : err;
    }
    if (status !== row.status) {
      await refuseIfPromoted(db, ctx.group.id, row);
    }
    const next = await update(db, row, { status });
    if (!row.from_run && status !== 'pending') {
      await setRunStatus(
        db,
        row.candidate_id,
        status === 'ready' ? 'finished' : 'failed'
      );
    }
    return { model: await json(db, ctx.group.id, next) };
  });

  app.delete('/logged-models/:model_id', async request => {
    const { ctx, row } = await target(request, true);
    await refuseIfPromoted(db, ctx.group.id, row);
    // The files stay with the run's candidate: they may already be part of a locked version.
    await m(db)
      .deleteFrom('mlflow_logged_models')
      .where('model_id', '=', row.model_id)
      .execute();
    return {};
  });

  app.patch('/logged-models/:model_id/tags', async request => {
    const { ctx, row } = await target(request, true);
    const patch = toMap(keyValues(input(request), 'tags'));
    // The client records the registration itself on the logged model (`mlflow.modelVersions`).
    if (Object.keys(patch).some(k => k !== 'mlflow.modelVersions')) {
      await refuseIfPromoted(db, ctx.group.id, row);
    }
    const tags = { ...JSON.parse(row.tags), ...patch };
    return {
      model: await json(
        db,
        ctx.group.id,
        await update(db, row, { tags: JSON.stringify(tags) })
      )
    };
  });

  app.delete('/logged-models/:model_id/tags/:tag_key', async request => {
    const { ctx, row } = await target(request, true);
    await refuseIfPromoted(db, ctx.group.id, row);
    const tags = JSON.parse(row.tags);
    delete tags[(request.params as { tag_key: string }).tag_key];
    await update(db, row, { tags: JSON.stringify(tags) });
    return {};
  });

  app.post('/logged-models/:model_id/params', async request => {
    const { ctx, row } = await target(request, true);
    await refuseIfPromoted(db, ctx.group.id, row);
    const params = {
      ...JSON.parse(row.params),
      ...toMap(keyValues(input(request), 'params'))
    };
    await update(db, row, { params: JSON.stringify(params) });
    return {};
  });

  app.get('/logged-models/:model_id/artifacts/directories', async request => {
    const { ctx, row } = await target(request, false);
    const sub = (
      optStr(input(request), 'artifact_directory_path') ?? ''
    ).replace(/^\/+|\/+$/g, '');
    const dir = sub ? `${row.name}/${validateArtifactPath(sub)}` : row.name;
    const files = await listDir(db, row.candidate_id, dir, true);
    return {
      root_uri: (await json(db, ctx.group.id, row)).info.artifact_uri,
      files: files.map(f => ({ ...f, path: f.path.slice(row.name.length + 1) }))
    };
  });

  app.post('/logged-models/search', async request => {
    const ctx = await context(request);
    const inp = input(request);
    const ids: number[] = [];
    for (const id of strList(inp, 'experiment_ids')) {
      ids.push((await resolveExperimentId(db, ctx, id)).id);
    }
    const rows = ids.length
      ? await m(db)
          .selectFrom('mlflow_logged_models')
          .selectAll()
          .where('experiment_id', 'in', ids)
          .execute()
      : [];
    const experimentMlflowIds = await experimentIds(db, ctx.group.id);
    const withRun = await Promise.all(
      rows.map(async r => ({ row: r, runId: await runIdOf(db, r) }))
    );
    const clauses = parseFilter(optStr(inp, 'filter'));
    const hits = withRun.filter(({ row, runId }) =>
      clauses.every(c => matches(c, field(row, runId, c.kind, c.key)))
    );
    const order = (Array.isArray(inp.order_by) ? inp.order_by : []) as {
      field_name?: string;
      ascending?: boolean;
    }[];
    hits.sort((a, b) => {
      for (const o of order) {
        const key = (o.field_name ?? '').replace(/^attributes?\./, '');
        const c = compareValues(
          field(a.row, a.runId, 'attribute', key),
          field(b.row, b.runId, 'attribute', key),
          o.ascending === false
        );
        if (c) {
          return c;
        }
      }
      return Number(b.row.created_at) - Number(a.row.created_at);
    });
    const p = page(
      hits,
      optNum(inp, 'max_results') ?? 100,
      optStr(inp, 'page_token')
    );
    return {
      models: p.items.map(({ row, runId }) =>
        loggedModelJson(row, runId, experimentMlflowIds)
      ),
      ...(p.next_page_token ? { next_page_token: p.next_page_token } : {})
    };
  });
}
