import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CandidateRow, Db } from '../db/database';
import { validateArtifactPath } from '../domain/artifact-path';
import { createCandidate } from '../repos/candidates';
import {
  attachArtifact,
  findArtifact,
  listArtifacts
} from '../repos/artifacts';
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
import { doesNotExist, invalidParam, MlflowError } from './errors';
import { compareValues, matches, page, parseFilter } from './filter';
import { resolveExperimentId } from './experiments';
import {
  latestValue,
  modelMetrics,
  onDatasets,
  type DatasetRef,
  type StoredModelMetric
} from './logged-model-metrics';
import { runName } from './run-names';
import { HIDDEN } from './run-search-sql';
import { lockedError } from './runs';
import {
  experimentIds,
  loggedModelById,
  m,
  runById,
  saveRunMeta,
  setRunStatus,
  type LoggedModelRow,
  type Run
} from './store';
import { sendArtifact } from './ui-artifacts';
import { LOGGED_STATUS_OUT, loggedModelJson, loggedStatus } from './views';

// MLflow 3's logged models. Each one's files live in a candidate of its own, under the model's name
// (`model/MLmodel`), served at MLflow 3's location `<experiment>/models/<model_id>/artifacts`.

/**
 * Whether the logged model's candidate is its own. Models logged before each got one point at the source
 * run's candidate and keep their files in that run, in their folder, until they are registered.
 */
export async function ownsCandidate(
  db: Db,
  row: LoggedModelRow
): Promise<boolean> {
  const c = await db
    .selectFrom('candidates')
    .select('run_id')
    .where('id', '=', row.candidate_id)
    .executeTakeFirstOrThrow();
  return c.run_id !== row.source_run_id;
}

/**
 * A logged model's own candidate, filed with its source run (or in its experiment's home model), so
 * registering it locks the model's files and never the run that is still logging. With a source run it is
 * hidden from run searches: it is no MLflow run.
 */
async function modelCandidate(
  db: Db,
  spec: {
    modelId: number;
    experiment: string | null;
    name: string;
    status: 'running' | 'finished';
    loggedModelId: string;
    sourceRunId: string | null;
  },
  actor: string
): Promise<CandidateRow> {
  const c = await createCandidate(
    db,
    spec.modelId,
    {
      name: spec.name,
      experiment: spec.experiment ?? undefined,
      status: spec.status,
      tags: {
        'mlflow.loggedModelId': spec.loggedModelId,
        ...(spec.sourceRunId ? { 'mlflow.sourceRunId': spec.sourceRunId } : {})
      }
    },
    actor
  );
  if (spec.sourceRunId) {
    await saveRunMeta(db, c.id, { lifecycle_stage: HIDDEN });
  }
  return c;
}

/**
 * Gives a model logged before each had a candidate of its own (its files in its run's candidate, in its
 * folder) one now, so registering it locks the model and not the run. The folder's files are attached to
 * the new candidate by digest: no bytes are copied, and the run keeps its files as they were.
 */
export async function moveIntoOwnCandidate(
  db: Db,
  row: LoggedModelRow,
  actor: string
): Promise<LoggedModelRow> {
  if (await ownsCandidate(db, row)) {
    return row;
  }
  const run = await db
    .selectFrom('candidates')
    .selectAll()
    .where('id', '=', row.candidate_id)
    .executeTakeFirstOrThrow();
  const experiment =
    run.experiment_id === null
      ? null
      : (
          await db
            .selectFrom('experiments')
            .select('name')
            .where('id', '=', run.experiment_id)
            .executeTakeFirstOrThrow()
        ).name;
  const own = await modelCandidate(
    db,
    {
      modelId: run.model_id,
      experiment,
      name: row.name,
      status: 'finished',
      loggedModelId: row.model_id,
      sourceRunId: run.run_id
    },
    actor
  );
  for (const f of await listArtifacts(db, run.id)) {
    if (f.path.startsWith(`${row.folder}/`)) {
      await attachArtifact(db, own, f);
    }
  }
  await m(db)
    .updateTable('mlflow_logged_models')
    .set({ candidate_id: own.id })
    .where('model_id', '=', row.model_id)
    .execute();
  return { ...row, candidate_id: own.id };
}

async function json(db: Db, groupId: number, row: LoggedModelRow) {
  return loggedModelJson(
    row,
    await experimentIds(db, groupId),
    (await modelMetrics(db, [row.model_id])).get(row.model_id) ?? []
  );
}

/** A run id the client names may be one this registry does not know: MLflow records it all the same. */
async function knownRun(
  db: Db,
  groupId: number,
  runId: string
): Promise<Run | null> {
  try {
    return await runById(db, groupId, runId);
  } catch (err) {
    if (err instanceof MlflowError && err.code === 'RESOURCE_DOES_NOT_EXIST') {
      return null;
    }
    throw err;
  }
}

/** MLflow records each registration on the logged model: `mlflow.modelVersions` = [{name, version}, ...]. */
export async function recordRegistration(
  db: Db,
  modelId: string,
  name: string,
  version: string
): Promise<void> {
  const row = await m(db)
    .selectFrom('mlflow_logged_models')
    .selectAll()
    .where('model_id', '=', modelId)
    .executeTakeFirstOrThrow();
  const tags = JSON.parse(row.tags) as Record<string, string>;
  // Earlier rows kept the version as a string; MLflow writes a number.
  const versions = (
    JSON.parse(tags[MODEL_VERSIONS_TAG] ?? '[]') as {
      name: string;
      version: string | number;
    }[]
  ).map(v => ({ name: v.name, version: Number(v.version) }));
  if (!versions.some(v => v.name === name && v.version === Number(version))) {
    versions.push({ name, version: Number(version) });
  }
  await update(db, row, {
    tags: JSON.stringify({
      ...tags,
      [MODEL_VERSIONS_TAG]: pythonJson(versions)
    })
  });
}

/**
 * The tag's text exactly as `mlflow server` writes it (Python's `json.dumps`: `", "` and `": "`
 * separators, non-ASCII escaped), so clients comparing the string see the same value.
 */
function pythonJson(versions: { name: string; version: number }[]): string {
  const text = (s: string) =>
    JSON.stringify(s).replace(
      /[\u007f-\uffff]/g,
      c => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')
    );
  const items = versions.map(
    v => `{"name": ${text(v.name)}, "version": ${v.version}}`
  );
  return `[${items.join(', ')}]`;
}

const MODEL_VERSIONS_TAG = 'mlflow.modelVersions';

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
  kind: string,
  key: string
): string | number | undefined {
  if (kind === 'tag') {
    return (JSON.parse(row.tags) as Record<string, string>)[key];
  }
  if (kind === 'param') {
    return (JSON.parse(row.params) as Record<string, string>)[key];
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
      return row.source_run_id ?? undefined;
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

const metricOf = (p: StoredModelMetric) => (p.is_nan ? NaN : Number(p.value));

/** `datasets=[{dataset_name, dataset_digest?}]`: only metrics measured on these count. */
function datasetRefs(value: unknown): DatasetRef[] {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    throw invalidParam(
      `Invalid value for parameter 'datasets': expected a list`
    );
  }
  return value.map(d => {
    const o = (d ?? {}) as Record<string, unknown>;
    if (typeof o.dataset_name !== 'string' || !o.dataset_name) {
      throw invalidParam(
        `Invalid value for parameter 'datasets': every entry needs a dataset_name`
      );
    }
    return {
      dataset_name: o.dataset_name,
      ...(typeof o.dataset_digest === 'string'
        ? { dataset_digest: o.dataset_digest }
        : {})
    };
  });
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
    // MLflow names an unnamed model like a run, so names stay distinct.
    const name = optStr(inp, 'name') || runName();
    validateArtifactPath(name);
    const sourceRunId = optStr(inp, 'source_run_id');
    const modelId = `m-${crypto.randomUUID().replace(/-/g, '')}`;
    const run = sourceRunId
      ? await knownRun(db, ctx.group.id, sourceRunId)
      : null;
    if (run?.candidate.locked) {
      throw await lockedError(db, run);
    }
    const candidateId = (
      await modelCandidate(
        db,
        {
          modelId: run ? run.candidate.model_id : experiment.homeModelId,
          experiment: experiment.name,
          name,
          status: 'running',
          loggedModelId: modelId,
          sourceRunId: run?.candidate.run_id ?? null
        },
        ctx.actor
      )
    ).id;
    const now = Date.now();
    const row: LoggedModelRow = {
      model_id: modelId,
      candidate_id: candidateId,
      experiment_id: experiment.id,
      name,
      folder: name,
      source_run_id: sourceRunId ?? null,
      from_run: run ? 1 : 0,
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
    if ((await ownsCandidate(db, row)) && status !== 'pending') {
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
    const key = (request.params as { tag_key: string }).tag_key;
    if (!(key in tags)) {
      throw doesNotExist(
        `No tag with key '${key}' found for model with ID '${row.model_id}'.`
      );
    }
    delete tags[key];
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
    const dir = sub ? `${row.folder}/${validateArtifactPath(sub)}` : row.folder;
    const files = await listDir(db, row.candidate_id, dir, true);
    return {
      root_uri: (await json(db, ctx.group.id, row)).info.artifact_uri,
      files: files.map(f => ({
        ...f,
        path: f.path.slice(row.folder.length + 1)
      }))
    };
  });

  app.get(
    '/logged-models/:model_id/artifacts/files',
    async (request, reply) => {
      const { row } = await target(request, false);
      const path = optStr(input(request), 'artifact_file_path');
      if (!path) {
        throw invalidParam('Request must specify artifact_file_path.');
      }
      const artifact = await findArtifact(
        db,
        row.candidate_id,
        `${row.folder}/${validateArtifactPath(path)}`
      );
      return sendArtifact(app, reply, artifact);
    }
  );

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
    const datasets = datasetRefs(inp.datasets);
    const metrics = await modelMetrics(
      db,
      rows.map(r => r.model_id)
    );
    const withRun = await Promise.all(
      rows.map(async r => ({
        row: r,
        metrics: (metrics.get(r.model_id) ?? []).filter(p =>
          onDatasets(p, datasets)
        )
      }))
    );
    const clauses = parseFilter(optStr(inp, 'filter'));
    const hits = withRun.filter(
      hit =>
        (!datasets.length || hit.metrics.length > 0) &&
        clauses.every(c =>
          c.kind === 'metric'
            ? hit.metrics.some(p => p.key === c.key && matches(c, metricOf(p)))
            : matches(c, field(hit.row, c.kind, c.key))
        )
    );
    const order = (Array.isArray(inp.order_by) ? inp.order_by : []) as {
      field_name?: string;
      ascending?: boolean;
      dataset_name?: string;
      dataset_digest?: string;
    }[];
    const sortValue = (
      hit: (typeof hits)[number],
      o: (typeof order)[number]
    ) => {
      const name = o.field_name ?? '';
      if (name.startsWith('metrics.')) {
        const v = latestValue(
          hit.metrics,
          name.slice('metrics.'.length),
          o.dataset_name ? [o as DatasetRef] : []
        );
        return v === undefined || Number.isNaN(v) ? undefined : v;
      }
      return field(hit.row, 'attribute', name.replace(/^attributes?\./, ''));
    };
    hits.sort((a, b) => {
      for (const o of order) {
        const c = compareValues(
          sortValue(a, o),
          sortValue(b, o),
          o.ascending === false
        );
        if (c) {
          return c;
        }
      }
      // MLflow's default: newest first, then by id.
      return (
        Number(b.row.created_at) - Number(a.row.created_at) ||
        (a.row.model_id < b.row.model_id ? -1 : 1)
      );
    });
    const p = page(
      hits,
      optNum(inp, 'max_results') ?? 100,
      optStr(inp, 'page_token')
    );
    return {
      models: p.items.map(({ row }) =>
        loggedModelJson(
          row,
          experimentMlflowIds,
          metrics.get(row.model_id) ?? []
        )
      ),
      ...(p.next_page_token ? { next_page_token: p.next_page_token } : {})
    };
  });
}
