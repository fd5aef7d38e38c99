import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/database';
import { ApiError } from '../errors';
import {
  claimForWrite,
  createCandidate,
  patchCandidate
} from '../repos/candidates';
import { addDatasets } from '../repos/candidate-datasets';
import { insertMetrics, type MetricInput } from '../repos/metrics';
import { findVersionByCandidate } from '../repos/versions';
import {
  context,
  input,
  keyValues,
  need,
  optNum,
  optStr,
  str,
  type Ctx
} from './context';
import { doesNotExist, invalidParam, MlflowError } from './errors';
import { datasetInputs } from './datasets';
import { runName } from './run-names';
import { checkBatchLimits } from './batch-limits';
import { resolveExperimentId } from './experiments';
import { recordModelMetrics } from './logged-model-metrics';
import {
  experimentIds,
  groupLoggedModelIds,
  loggedModelById,
  m,
  runById,
  saveRunMeta,
  setRunStatus,
  type Run
} from './store';
import { candidateStatus, runsJson } from './views';

function candidateStatusOrNull(status: string) {
  try {
    return candidateStatus(status);
  } catch {
    return null;
  }
}

/** The registry refuses changes to a promoted candidate; say so in MLflow's words, naming the version. */
export async function lockedError(db: Db, run: Run): Promise<MlflowError> {
  const version = await findVersionByCandidate(db, run.candidate.id);
  const where = version
    ? `version ${version.version} (MLflow version ${version.mlflow_version})`
    : 'a version';
  return new MlflowError(
    'INVALID_STATE',
    `Run ${run.candidate.run_id} is locked: it was promoted to ${where} of model "${run.model.name}", so its params, metrics and artifacts cannot change. Start a new run instead.`
  );
}

/** A deleted run takes no writes, as in MLflow: restore it first. */
function refuseDeleted(run: Run): void {
  if (run.lifecycle_stage === 'deleted') {
    throw invalidParam(
      `The run ${run.candidate.run_id} must be in the 'active' state. Current state is deleted.`
    );
  }
}

/** Runs a write against a run's candidate; VERSION_LOCKED and PARAM_ALREADY_SET come back in MLflow's terms. */
export async function writeRun<T>(
  db: Db,
  run: Run,
  write: () => Promise<T>
): Promise<T> {
  refuseDeleted(run);
  try {
    return await write();
  } catch (err) {
    if (err instanceof ApiError && err.code === 'VERSION_LOCKED') {
      throw await lockedError(db, run);
    }
    if (err instanceof ApiError && err.code === 'PARAM_ALREADY_SET') {
      throw invalidParam(
        `Changing param values is not allowed. ${err.message}`
      );
    }
    throw err;
  }
}

/** `models: [{model_id, step?}]` of log-inputs and outputs; each must be a logged model of the group. */
async function loggedModelRefs(
  db: Db,
  groupId: number,
  raw: unknown
): Promise<{ model_id: string; step: number }[]> {
  const refs = (Array.isArray(raw) ? raw : []).map(x => {
    const o = (x ?? {}) as Record<string, unknown>;
    if (typeof o.model_id !== 'string' || !o.model_id) {
      throw invalidParam(
        "Missing value for required parameter 'models[].model_id'."
      );
    }
    return { model_id: o.model_id, step: Number(o.step ?? 0) || 0 };
  });
  for (const ref of refs) {
    await loggedModelById(db, groupId, ref.model_id);
  }
  return refs;
}

export async function runFor(
  request: FastifyRequest,
  role: 'guest' | 'developer',
  action: string
): Promise<{ ctx: Ctx; run: Run; inp: Record<string, unknown> }> {
  const ctx = await context(request);
  if (role !== 'guest') {
    need(ctx, role, action);
  }
  const inp = input(request);
  const runId = optStr(inp, 'run_id') || str(inp, 'run_uuid');
  return {
    ctx,
    run: await runById(request.server.db, ctx.group.id, runId),
    inp
  };
}

interface MlflowMetric extends MetricInput {
  step: number;
  timestamp: number;
  modelId?: string;
  datasetName?: string;
  datasetDigest?: string;
}

/**
 * The client sends NaN and ±Infinity as the strings "NaN", "Infinity", "-Infinity". As MLflow's own store
 * does, infinities are kept as ±1.7976931348623157e308 and NaN as NaN (see repos/metrics.ts).
 */
function metricValue(key: string, raw: unknown): number {
  const value =
    typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (
    typeof value !== 'number' ||
    (Number.isNaN(value) && !(typeof raw === 'string' && raw.trim() === 'NaN'))
  ) {
    throw invalidParam(
      `Invalid value ${JSON.stringify(raw)} for parameter 'value' supplied: metric "${key}" needs a number`
    );
  }
  if (value === Infinity) {
    return Number.MAX_VALUE;
  }
  return value === -Infinity ? -Number.MAX_VALUE : value;
}

function metricsOf(list: unknown): MlflowMetric[] {
  if (list === undefined || list === null) {
    return [];
  }
  if (!Array.isArray(list)) {
    throw invalidParam('metrics must be a list');
  }
  return list.map(x => {
    const o = x as Record<string, unknown>;
    if (typeof o.key !== 'string' || !o.key) {
      throw invalidParam('every metric needs a key');
    }
    return {
      key: o.key,
      value: metricValue(o.key, o.value),
      step: o.step === undefined ? 0 : Number(o.step),
      timestamp: o.timestamp === undefined ? Date.now() : Number(o.timestamp),
      ...(typeof o.model_id === 'string' && o.model_id
        ? { modelId: o.model_id }
        : {}),
      ...(typeof o.dataset_name === 'string' && o.dataset_name
        ? { datasetName: o.dataset_name }
        : {}),
      ...(typeof o.dataset_digest === 'string' && o.dataset_digest
        ? { datasetDigest: o.dataset_digest }
        : {})
    };
  });
}

/**
 * MLflow 3's log_model re-sends the run's points tagged with the logged model's id. Like MLflow's own
 * store, an identical point (key, step, timestamp, value) is logged once; only such batches pay the lookup.
 */
async function withoutRepeats(
  db: Db,
  candidateId: number,
  metrics: MlflowMetric[]
): Promise<MlflowMetric[]> {
  if (!metrics.some(x => x.modelId)) {
    return metrics;
  }
  const keys = [...new Set(metrics.map(x => x.key))];
  const have = await db
    .selectFrom('metrics')
    .select(['key', 'value', 'is_nan', 'step', 'timestamp'])
    .where('candidate_id', '=', candidateId)
    .where('key', 'in', keys)
    .execute();
  const seen = new Set(
    have.map(
      h =>
        `${h.key}\0${Number(h.step)}\0${Number(h.timestamp)}\0${h.is_nan ? NaN : h.value}`
    )
  );
  return metrics.filter(
    x => !seen.has(`${x.key}\0${x.step}\0${x.timestamp}\0${x.value}`)
  );
}

async function logMetrics(
  db: Db,
  run: Run,
  metrics: MlflowMetric[]
): Promise<void> {
  if (!metrics.length) {
    return;
  }
  await writeRun(db, run, () =>
    db.transaction().execute(async trx => {
      await claimForWrite(trx, run.candidate);
      const fresh = await withoutRepeats(trx, run.candidate.id, metrics);
      if (fresh.length) {
        await insertMetrics(
          trx,
          run.candidate.id,
          fresh.map(
            ({ modelId: _m, datasetName: _n, datasetDigest: _d, ...x }) => x
          )
        );
      }
      const forModels = metrics.filter(
        (x): x is MlflowMetric & { modelId: string } => !!x.modelId
      );
      if (forModels.length) {
        await recordModelMetrics(
          trx,
          run.candidate.run_id,
          await groupLoggedModelIds(
            trx,
            run.model.group_id,
            forModels.map(x => x.modelId)
          ),
          forModels.map(x => ({ ...x, modelId: x.modelId }))
        );
      }
    })
  );
}

/** MLflow's git tags fill the candidate's provenance, so the panel shows where a run came from. */
function provenanceFromTags(tags: Record<string, string>) {
  const git: Record<string, string> = {};
  if (tags['mlflow.source.git.commit']) {
    git.commit = tags['mlflow.source.git.commit'];
  }
  if (tags['mlflow.source.git.repoURL']) {
    git.remote = tags['mlflow.source.git.repoURL'];
  }
  if (tags['mlflow.source.git.branch']) {
    git.branch = tags['mlflow.source.git.branch'];
  }
  return Object.keys(git).length ? { git } : undefined;
}

export async function runRoutes(app: FastifyInstance): Promise<void> {
  const db = app.db;

  app.post('/runs/create', async request => {
    const ctx = await context(request);
    need(ctx, 'developer', 'creating a run (a candidate)');
    const inp = input(request);
    const experiment = await resolveExperimentId(
      db,
      ctx,
      optStr(inp, 'experiment_id') ?? '0'
    );
    if (experiment.lifecycle_stage === 'deleted') {
      throw invalidParam(
        `The experiment ${experiment.id} must be in the 'active' state. Current state is deleted.`
      );
    }
    const tags = Object.fromEntries(
      keyValues(inp, 'tags').map(t => [t.key, t.value])
    );
    const name = optStr(inp, 'run_name') || tags['mlflow.runName'] || runName();
    delete tags['mlflow.runName'];
    const candidate = await createCandidate(
      db,
      experiment.homeModelId,
      {
        name,
        experiment: experiment.name,
        status: 'running',
        tags,
        provenance: provenanceFromTags(tags)
      },
      ctx.actor
    );
    const start = optNum(inp, 'start_time');
    // MLflow keeps the user its client sent (the `mlflow.user` tag, else "unknown"); the candidate's
    // author stays the authenticated user.
    await saveRunMeta(db, candidate.id, {
      start_time: start ?? null,
      user_id: optStr(inp, 'user_id') ?? tags['mlflow.user'] ?? ''
    });
    return {
      run: (
        await runsJson(db, await experimentIds(db, ctx.group.id), [candidate])
      )[0]
    };
  });

  app.get('/runs/get', async request => {
    const { ctx, run } = await runFor(request, 'guest', '');
    return {
      run: (
        await runsJson(db, await experimentIds(db, ctx.group.id), [
          run.candidate
        ])
      )[0]
    };
  });

  app.post('/runs/update', async request => {
    const { run, inp } = await runFor(request, 'developer', 'updating a run');
    const status = optStr(inp, 'status');
    const name = optStr(inp, 'run_name');
    const endTime = optNum(inp, 'end_time');
    // A promoted run is finished for good: ending it again (the `with` block around register_model) is a
    // no-op, any other status is refused.
    if (run.candidate.locked && status) {
      if (candidateStatusOrNull(status) !== run.candidate.status) {
        throw await lockedError(db, run);
      }
      return {
        run_info: (
          await runsJson(db, await experimentIds(db, run.model.group_id), [
            run.candidate
          ])
        )[0].info
      };
    }
    if (name !== undefined && name !== '' && name !== run.candidate.name) {
      await writeRun(db, run, () =>
        patchCandidate(db, run.candidate, { name })
      );
    }
    if (status) {
      let s;
      try {
        s = candidateStatus(status);
      } catch {
        throw invalidParam(`Invalid run status '${status}'`);
      }
      await setRunStatus(db, run.candidate.id, s);
      if (s !== 'running') {
        await saveRunMeta(db, run.candidate.id, {
          end_time: endTime ?? Date.now()
        });
      }
    } else if (endTime !== undefined) {
      await saveRunMeta(db, run.candidate.id, { end_time: endTime });
    }
    const fresh = await runById(db, run.model.group_id, run.candidate.run_id);
    return {
      run_info: (
        await runsJson(db, await experimentIds(db, run.model.group_id), [
          fresh.candidate
        ])
      )[0].info
    };
  });

  const lifecycle =
    (stage: 'deleted' | 'active') => async (request: FastifyRequest) => {
      const { run } = await runFor(
        request,
        'developer',
        stage === 'deleted' ? 'deleting a run' : 'restoring a run'
      );
      if (run.candidate.locked) {
        throw await lockedError(db, run);
      }
      await saveRunMeta(db, run.candidate.id, { lifecycle_stage: stage });
      return {};
    };
  app.post('/runs/delete', lifecycle('deleted'));
  app.post('/runs/restore', lifecycle('active'));

  app.post('/runs/log-metric', async request => {
    const { run, inp } = await runFor(request, 'developer', 'logging a metric');
    await logMetrics(db, run, metricsOf([{ ...inp, key: str(inp, 'key') }]));
    return {};
  });

  app.post('/runs/log-parameter', async request => {
    const { run, inp } = await runFor(request, 'developer', 'logging a param');
    const key = str(inp, 'key');
    await writeRun(db, run, () =>
      patchCandidate(db, run.candidate, {
        params: { [key]: optStr(inp, 'value') ?? '' }
      })
    );
    return {};
  });

  const tag = (remove: boolean) => async (request: FastifyRequest) => {
    const { run, inp } = await runFor(request, 'developer', 'tagging a run');
    const key = str(inp, 'key');
    if (key === 'mlflow.runName' && !remove) {
      await writeRun(db, run, () =>
        patchCandidate(db, run.candidate, { name: optStr(inp, 'value') ?? '' })
      );
      return {};
    }
    if (remove) {
      // MLflow checks the run's state before the tag: a deleted run says so, not "no tag".
      refuseDeleted(run);
      const has = await db
        .selectFrom('candidate_tags')
        .select('key')
        .where('candidate_id', '=', run.candidate.id)
        .where('key', '=', key)
        .executeTakeFirst();
      if (!has) {
        throw doesNotExist(
          `No tag with name: ${key} in run with id ${run.candidate.run_id}`
        );
      }
    }
    await writeRun(db, run, () =>
      patchCandidate(db, run.candidate, {
        tags: { [key]: remove ? null : (optStr(inp, 'value') ?? '') }
      })
    );
    return {};
  };
  app.post('/runs/set-tag', tag(false));
  app.post('/runs/delete-tag', tag(true));

  app.post('/runs/log-batch', async request => {
    const { run, inp } = await runFor(request, 'developer', 'logging to a run');
    checkBatchLimits(inp);
    const params = Object.fromEntries(
      keyValues(inp, 'params').map(p => [p.key, p.value])
    );
    const tags: Record<string, string | null> = Object.fromEntries(
      keyValues(inp, 'tags').map(t => [t.key, t.value])
    );
    const name = tags['mlflow.runName'];
    delete tags['mlflow.runName'];
    if (Object.keys(params).length || Object.keys(tags).length || name) {
      await writeRun(db, run, () =>
        patchCandidate(db, run.candidate, {
          params,
          tags,
          ...(name ? { name } : {})
        })
      );
    }
    await logMetrics(db, run, metricsOf(inp.metrics));
    return {};
  });

  // Datasets are the candidate's lineage; model inputs are the logged models the run used.
  app.post('/runs/log-inputs', async request => {
    const { ctx, run, inp } = await runFor(
      request,
      'developer',
      'logging run inputs'
    );
    const datasets = datasetInputs(inp.datasets);
    const models = await loggedModelRefs(db, ctx.group.id, inp.models);
    if (datasets.length) {
      await writeRun(db, run, () => addDatasets(db, run.candidate, datasets));
    }
    if (models.length) {
      await writeRun(db, run, () =>
        m(db)
          .insertInto('mlflow_run_model_inputs')
          .values(
            models.map(x => ({
              candidate_id: run.candidate.id,
              model_id: x.model_id
            }))
          )
          .onConflict(c => c.doNothing())
          .execute()
      );
    }
    return {};
  });
  // The models a run produced (MLflow 3's log_model sends them), each at the step it was logged.
  app.post('/runs/outputs', async request => {
    const { ctx, run, inp } = await runFor(
      request,
      'developer',
      'logging run outputs'
    );
    const outputs = await loggedModelRefs(db, ctx.group.id, inp.models);
    if (outputs.length) {
      await writeRun(db, run, () =>
        m(db)
          .insertInto('mlflow_run_outputs')
          .values(outputs.map(o => ({ ...o, candidate_id: run.candidate.id })))
          .onConflict(c => c.doNothing())
          .execute()
      );
    }
    return {};
  });
  app.post('/runs/log-model', async request => {
    const { run, inp } = await runFor(request, 'developer', 'logging a model');
    await writeRun(db, run, () =>
      patchCandidate(db, run.candidate, {
        tags: { 'mlflow.log-model.history': optStr(inp, 'model_json') ?? '' }
      })
    );
    return {};
  });
}
