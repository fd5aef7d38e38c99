import type { CandidateRow, Db, ModelRow, VersionRow } from '../db/database';
import { listArtifacts } from '../repos/artifacts';
import { datasetsOf } from '../repos/candidate-datasets';
import { isoToMs } from './context';
import { datasetInputJson } from './datasets';
import type { StoredModelMetric } from './logged-model-metrics';
import {
  m,
  experimentIds,
  runMetas,
  type ExperimentIds,
  versionMetas,
  type Experiment,
  type LoggedModelRow,
  type VersionMeta
} from './store';

/** MLflow's JSON shapes, built from registry rows. */

const kv = (o: Record<string, string>) =>
  Object.entries(o).map(([key, value]) => ({ key, value }));

export function experimentJson(e: Experiment) {
  const created = isoToMs(e.created_at);
  return {
    experiment_id: e.mlflowId,
    name: e.name,
    artifact_location: `mlflow-artifacts:/${e.mlflowId}`,
    lifecycle_stage: e.lifecycle_stage,
    creation_time: created,
    last_update_time: e.updated_at ?? created,
    tags: kv(e.tags)
  };
}

/** MLflow's JSON for a stored point: NaN as the string "NaN" (infinities are stored as ±max double). */
export function metricValueJson(point: {
  value: number;
  is_nan: number;
}): number | 'NaN' {
  return point.is_nan ? 'NaN' : point.value;
}

const STATUS_OUT: Record<string, string> = {
  running: 'RUNNING',
  finished: 'FINISHED',
  failed: 'FAILED'
};
const STATUS_IN: Record<string, 'running' | 'finished' | 'failed'> = {
  RUNNING: 'running',
  SCHEDULED: 'running',
  FINISHED: 'finished',
  FAILED: 'failed',
  KILLED: 'failed'
};

export function candidateStatus(
  mlflowStatus: string
): 'running' | 'finished' | 'failed' {
  const s = STATUS_IN[mlflowStatus.toUpperCase()];
  if (!s) {
    throw new Error(`unknown run status ${mlflowStatus}`);
  }
  return s;
}

export const runArtifactUri = (experimentId: string, runId: string) =>
  `mlflow-artifacts:/${experimentId}/${runId}/artifacts`;

/** Runs of one group, with params, latest metrics, tags and logged-model outputs in a few batched queries. */
export async function runsJson(
  db: Db,
  experiments: ExperimentIds,
  rows: CandidateRow[]
) {
  if (!rows.length) {
    return [];
  }
  const ids = rows.map(r => r.id);
  const [params, tags, metrics, metas, outputs, datasets] = await Promise.all([
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
      .selectAll()
      .where('candidate_id', 'in', ids)
      .execute(),
    runMetas(db, ids),
    m(db)
      .selectFrom('mlflow_run_outputs')
      .selectAll()
      .where('candidate_id', 'in', ids)
      .orderBy('step')
      .execute(),
    datasetsOf(db, ids)
  ]);
  const modelInputs = await m(db)
    .selectFrom('mlflow_run_model_inputs')
    .selectAll()
    .where('candidate_id', 'in', ids)
    .execute();
  const by = <T extends { candidate_id: number }>(xs: T[]) => {
    const out = new Map<number, T[]>();
    for (const x of xs) {
      (
        out.get(x.candidate_id) ??
        out.set(x.candidate_id, []).get(x.candidate_id)!
      ).push(x);
    }
    return out;
  };
  const p = by(params),
    t = by(tags),
    mt = by(metrics),
    o = by(outputs),
    mi = by(modelInputs);
  const out = [];
  for (const r of rows) {
    const meta = metas.get(r.id);
    const experimentId = experiments.mlflowId(r.experiment_id);
    const tagList = (t.get(r.id) ?? []).map(x => ({
      key: x.key,
      value: x.value
    }));
    if (!tagList.some(x => x.key === 'mlflow.runName')) {
      tagList.push({ key: 'mlflow.runName', value: r.name });
    }
    // A run made through modelreg's API names its author as MLflow's client would have.
    const sentUser = meta?.user_id ?? null;
    if (sentUser === null && !tagList.some(x => x.key === 'mlflow.user')) {
      tagList.push({ key: 'mlflow.user', value: r.author });
    }
    out.push({
      info: {
        run_id: r.run_id,
        run_uuid: r.run_id,
        run_name: r.name,
        experiment_id: experimentId,
        // The author stays the authenticated user; MLflow reports the user its client sent.
        user_id:
          sentUser ??
          tagList.find(x => x.key === 'mlflow.user')?.value ??
          r.author,
        status: STATUS_OUT[r.status] ?? 'RUNNING',
        start_time:
          meta?.start_time != null
            ? Number(meta.start_time)
            : isoToMs(r.created_at),
        ...(meta?.end_time != null
          ? { end_time: Number(meta.end_time) }
          : r.status !== 'running'
            ? { end_time: isoToMs(r.updated_at) }
            : {}),
        artifact_uri: runArtifactUri(experimentId, r.run_id),
        lifecycle_stage: meta?.lifecycle_stage ?? 'active'
      },
      data: {
        metrics: (mt.get(r.id) ?? []).map(x => ({
          key: x.key,
          value: metricValueJson(x),
          timestamp: Number(x.timestamp),
          step: Number(x.step)
        })),
        params: (p.get(r.id) ?? []).map(x => ({ key: x.key, value: x.value })),
        tags: tagList
      },
      inputs: {
        dataset_inputs: (datasets.get(r.id) ?? []).map(datasetInputJson),
        model_inputs: (mi.get(r.id) ?? []).map(x => ({ model_id: x.model_id }))
      },
      outputs: {
        model_outputs: (o.get(r.id) ?? []).map(x => ({
          model_id: x.model_id,
          step: Number(x.step)
        }))
      }
    });
  }
  return out;
}

export const LOGGED_STATUS_OUT: Record<string, string> = {
  pending: 'LOGGED_MODEL_PENDING',
  ready: 'LOGGED_MODEL_READY',
  failed: 'LOGGED_MODEL_UPLOAD_FAILED'
};

/** MLflow 3's artifact location of a logged model. */
export const loggedModelArtifactUri = (experimentId: string, modelId: string) =>
  `mlflow-artifacts:/${experimentId}/models/${modelId}/artifacts`;

export function loggedModelJson(
  row: LoggedModelRow,
  experiments: ExperimentIds,
  metrics: StoredModelMetric[]
) {
  const experimentId = experiments.mlflowId(row.experiment_id);
  const tags = JSON.parse(row.tags) as Record<string, string>;
  const params = JSON.parse(row.params) as Record<string, string>;
  return {
    info: {
      model_id: row.model_id,
      experiment_id: experimentId,
      name: row.name,
      creation_timestamp_ms: Number(row.created_at),
      last_updated_timestamp_ms: Number(row.updated_at),
      artifact_uri: loggedModelArtifactUri(experimentId, row.model_id),
      status: LOGGED_STATUS_OUT[row.status] ?? 'LOGGED_MODEL_PENDING',
      model_type: row.model_type,
      ...(row.source_run_id ? { source_run_id: row.source_run_id } : {}),
      tags: kv(tags)
    },
    data: {
      params: kv(params),
      metrics: metrics.map(p => ({
        key: p.key,
        value: metricValueJson(p),
        timestamp: Number(p.timestamp),
        step: Number(p.step),
        model_id: p.model_id,
        ...(p.run_id ? { run_id: p.run_id } : {}),
        ...(p.dataset_name ? { dataset_name: p.dataset_name } : {}),
        ...(p.dataset_digest ? { dataset_digest: p.dataset_digest } : {})
      }))
    }
  };
}

export function loggedStatus(mlflowStatus: string): string {
  const s = (
    {
      LOGGED_MODEL_PENDING: 'pending',
      LOGGED_MODEL_READY: 'ready',
      LOGGED_MODEL_UPLOAD_FAILED: 'failed'
    } as Record<string, string>
  )[mlflowStatus];
  if (!s) {
    throw new Error(`unknown logged model status ${mlflowStatus}`);
  }
  return s;
}

// --- registry -------------------------------------------------------------------------------------

const STAGE_BY_ALIAS: Record<string, string> = {
  production: 'Production',
  staging: 'Staging'
};

/** Stages are the aliases `production` and `staging`; "Archived" and "None" are remembered by the MLflow layer. */
export function stageOf(
  aliases: string[],
  meta: VersionMeta | undefined
): string {
  if (aliases.includes('production')) {
    return 'Production';
  }
  if (aliases.includes('staging')) {
    return 'Staging';
  }
  return meta?.stage === 'Archived' ? 'Archived' : 'None';
}

export { STAGE_BY_ALIAS };

/** Where `load_model` finds the files: the candidate's run, in the logged model's folder when there is one. */
export async function downloadUri(
  db: Db,
  model: ModelRow,
  version: VersionRow,
  meta: VersionMeta | undefined
): Promise<{ uri: string; runId: string }> {
  const candidate = await db
    .selectFrom('candidates')
    .selectAll()
    .where('id', '=', version.candidate_id)
    .executeTakeFirstOrThrow();
  const base = runArtifactUri(
    (await experimentIds(db, model.group_id)).mlflowId(candidate.experiment_id),
    candidate.run_id
  );
  let folder: string | null = null;
  if (meta?.logged_model_id) {
    const lm = await m(db)
      .selectFrom('mlflow_logged_models')
      .select('experiment_id')
      .where('model_id', '=', meta.logged_model_id)
      .executeTakeFirst();
    if (lm) {
      const ids = await experimentIds(db, model.group_id);
      return {
        uri: loggedModelArtifactUri(
          ids.mlflowId(lm.experiment_id),
          meta.logged_model_id
        ),
        runId: candidate.run_id
      };
    }
  } else if (meta?.source) {
    folder = subpathOfSource(meta.source);
  } else {
    // Promoted through modelreg: point at the folder holding MLmodel when there is exactly one.
    const dirs = (await listArtifacts(db, candidate.id))
      .filter(a => a.path === 'MLmodel' || a.path.endsWith('/MLmodel'))
      .map(a => a.path.slice(0, -'MLmodel'.length).replace(/\/$/, ''));
    if (dirs.length === 1 && dirs[0]) {
      folder = dirs[0];
    }
  }
  return { uri: folder ? `${base}/${folder}` : base, runId: candidate.run_id };
}

/** `runs:/<id>/model` or `mlflow-artifacts:/<exp>/<id>/artifacts/model` -> "model". */
export function subpathOfSource(source: string): string | null {
  const runs = /^runs:\/[^/]+\/(.+)$/.exec(source);
  if (runs) {
    return runs[1].replace(/\/+$/, '') || null;
  }
  const art =
    /^mlflow-artifacts:\/(?:\/[^/]*)?\/?[^/]+\/[^/]+\/artifacts\/(.+)$/.exec(
      source
    );
  if (art) {
    return art[1].replace(/\/+$/, '') || null;
  }
  return null;
}

export async function modelVersionsJson(
  db: Db,
  model: ModelRow,
  versions: VersionRow[]
) {
  if (!versions.length) {
    return [];
  }
  const [metas, aliases] = await Promise.all([
    versionMetas(
      db,
      versions.map(v => v.id)
    ),
    db
      .selectFrom('aliases')
      .select(['name', 'version_id'])
      .where('model_id', '=', model.id)
      .execute()
  ]);
  const out = [];
  for (const v of versions) {
    const meta = metas.get(v.id);
    const names = aliases.filter(a => a.version_id === v.id).map(a => a.name);
    const { uri, runId } = await downloadUri(db, model, v, meta);
    const tags = {
      ...(JSON.parse(meta?.tags ?? '{}') as Record<string, string>),
      'modelreg.version': v.version
    };
    const created = isoToMs(v.created_at);
    out.push({
      name: model.name,
      version: String(v.mlflow_version),
      creation_timestamp: created,
      last_updated_timestamp: meta ? Number(meta.updated_at) : created,
      user_id: v.created_by,
      current_stage: stageOf(names, meta),
      description: v.notes,
      source: meta?.source ?? uri,
      run_id: meta?.run_id ?? runId,
      status: 'READY',
      tags: kv(tags),
      aliases: names,
      ...(meta?.logged_model_id ? { model_id: meta.logged_model_id } : {})
    });
  }
  return out;
}

/** The latest version per stage, as MLflow's `latest_versions` lists them. */
export function latestPerStage<
  T extends { version: string; current_stage: string }
>(versions: T[], stages?: string[]): T[] {
  const best = new Map<string, T>();
  for (const v of versions) {
    const cur = best.get(v.current_stage);
    if (!cur || Number(v.version) > Number(cur.version)) {
      best.set(v.current_stage, v);
    }
  }
  const wanted = stages?.length
    ? new Set(stages.map(s => s.toLowerCase()))
    : null;
  return [...best.values()]
    .filter(v => !wanted || wanted.has(v.current_stage.toLowerCase()))
    .sort((a, b) => Number(a.version) - Number(b.version));
}

export async function registeredModelJson(db: Db, model: ModelRow) {
  const versions = await db
    .selectFrom('versions')
    .selectAll()
    .where('model_id', '=', model.id)
    .orderBy('mlflow_version')
    .execute();
  const mv = await modelVersionsJson(db, model, versions);
  const extra = (JSON.parse(model.metadata).extra ?? {}) as Record<
    string,
    unknown
  >;
  const aliasRows = await db
    .selectFrom('aliases')
    .innerJoin('versions', 'versions.id', 'aliases.version_id')
    .select(['aliases.name', 'versions.mlflow_version'])
    .where('aliases.model_id', '=', model.id)
    .orderBy('aliases.name')
    .execute();
  return {
    name: model.name,
    creation_timestamp: isoToMs(model.created_at),
    last_updated_timestamp: isoToMs(model.updated_at),
    user_id: model.created_by,
    description: model.description,
    latest_versions: latestPerStage(mv),
    tags: Object.entries(extra).map(([key, value]) => ({
      key,
      value: typeof value === 'string' ? value : JSON.stringify(value)
    })),
    aliases: aliasRows.map(a => ({
      alias: a.name,
      version: String(a.mlflow_version)
    }))
  };
}
