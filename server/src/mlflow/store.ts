import type { Kysely } from 'kysely';
import type {
  CandidateRow,
  Database,
  Db,
  ModelRow,
  VersionRow
} from '../db/database';
import { nowIso } from '../db/database';
import { isUniqueViolation } from '../db/connect';
import { createModel, findModel } from '../repos/models';
import { alreadyExists, doesNotExist, invalidParam } from './errors';

/** The MLflow-only tables (migrations 2026-11-26-mlflow, 2026-12-01T1500-group-experiments, 2026-12-01T1800-logged-models); each row hangs off a registry row. */
export interface MlflowTables {
  mlflow_experiments: {
    experiment_id: number;
    lifecycle_stage: string;
    tags: string;
    updated_at: number;
  };
  mlflow_runs: {
    candidate_id: number;
    lifecycle_stage: string;
    start_time: number | null;
    end_time: number | null;
    /** What the MLflow client sent as the run's user; null for runs made through modelreg's API. */
    user_id: string | null;
  };
  mlflow_logged_models: {
    model_id: string;
    candidate_id: number;
    experiment_id: number;
    name: string;
    /** Where its files live in the candidate: the name, unless another logged model of the run has it. */
    folder: string;
    /** As the client sent it; a run of this registry when `from_run` is 1. */
    source_run_id: string | null;
    from_run: number;
    status: string;
    model_type: string;
    tags: string;
    params: string;
    created_at: number;
    updated_at: number;
  };
  mlflow_run_outputs: {
    candidate_id: number;
    model_id: string;
    step: number;
  };
  mlflow_run_model_inputs: {
    candidate_id: number;
    model_id: string;
  };
  mlflow_logged_model_metrics: {
    model_id: string;
    key: string;
    value: number;
    is_nan: number;
    step: number;
    timestamp: number;
    run_id: string | null;
    dataset_name: string | null;
    dataset_digest: string | null;
  };
  mlflow_groups: {
    group_id: number;
    default_experiment_id: number | null;
    runs_model_id: number | null;
  };
  mlflow_model_versions: {
    version_id: number;
    /** The training run, when the version's candidate is a copy of it (a run of another model); for a
     * version registered without a run of the group, the run id the client sent, '' when none. */
    run_id: string | null;
    tags: string;
    stage: string;
    source: string | null;
    logged_model_id: string | null;
    updated_at: number;
  };
}

export type MDb = Kysely<Database & MlflowTables>;
export const m = (db: Db): MDb => db as unknown as MDb;

// --- experiments ------------------------------------------------------------------------------

/** An MLflow experiment: the group's experiment, with the MLflow-only metadata. */
export interface Experiment {
  id: number;
  /** What MLflow sees: "0" for the group's Default experiment, else the id. */
  mlflowId: string;
  name: string;
  groupId: number;
  /** Where runs created in it through MLflow are filed (see docs/mlflow.md, "Experiments"). */
  homeModelId: number;
  created_at: string;
  lifecycle_stage: string;
  tags: Record<string, string>;
  updated_at: number | null;
}

/** The client's default experiment: id "0", name "Default", one per group. */
export const DEFAULT_EXPERIMENT = 'Default';

/** The model that holds a group's MLflow runs until they are registered; not a registered model. */
export const RUNS_MODEL = 'mlflow-runs';

export type GroupMeta = MlflowTables['mlflow_groups'];

export async function groupMeta(db: Db, groupId: number): Promise<GroupMeta> {
  const row = await m(db)
    .selectFrom('mlflow_groups')
    .selectAll()
    .where('group_id', '=', groupId)
    .executeTakeFirst();
  return (
    row ?? {
      group_id: groupId,
      default_experiment_id: null,
      runs_model_id: null
    }
  );
}

async function saveGroupMeta(db: Db, meta: GroupMeta): Promise<void> {
  await m(db)
    .insertInto('mlflow_groups')
    .values(meta)
    .onConflict(oc =>
      oc.column('group_id').doUpdateSet({
        default_experiment_id: meta.default_experiment_id,
        runs_model_id: meta.runs_model_id
      })
    )
    .execute();
}

/** The group's runs model, created on first use (named `mlflow-runs`, or `mlflow-runs-2`... when taken). */
export async function runsModelId(
  db: Db,
  groupId: number,
  actor: string
): Promise<number> {
  const meta = await groupMeta(db, groupId);
  if (meta.runs_model_id !== null) {
    return meta.runs_model_id;
  }
  for (let n = 1; ; n++) {
    const name = n === 1 ? RUNS_MODEL : `${RUNS_MODEL}-${n}`;
    if (await findModel(db, groupId, name)) {
      continue;
    }
    try {
      const model = await createModel(
        db,
        groupId,
        {
          name,
          description:
            'Runs logged through MLflow, grouped by experiment. Registering a run (mlflow.register_model) moves it into the registered model.'
        },
        actor
      );
      await saveGroupMeta(db, {
        ...(await groupMeta(db, groupId)),
        runs_model_id: model.id
      });
      return model.id;
    } catch (err) {
      if (!isUniqueViolation(err)) {
        throw err;
      }
      const again = await groupMeta(db, groupId);
      if (again.runs_model_id !== null) {
        return again.runs_model_id;
      }
    }
  }
}

function experimentQuery(db: Db, groupId: number) {
  return m(db)
    .selectFrom('experiments')
    .leftJoin(
      'mlflow_experiments',
      'mlflow_experiments.experiment_id',
      'experiments.id'
    )
    .select([
      'experiments.id',
      'experiments.name',
      'experiments.model_id',
      'experiments.created_at',
      'mlflow_experiments.lifecycle_stage',
      'mlflow_experiments.tags',
      'mlflow_experiments.updated_at'
    ])
    .where('experiments.group_id', '=', groupId);
}

type ExperimentJoinRow = Awaited<
  ReturnType<ReturnType<typeof experimentQuery>['execute']>
>[number];

function toExperiment(
  r: ExperimentJoinRow,
  groupId: number,
  defaultId: number | null
): Experiment {
  return {
    id: r.id,
    mlflowId: r.id === defaultId ? '0' : String(r.id),
    name: r.name,
    groupId,
    homeModelId: r.model_id,
    created_at: r.created_at,
    lifecycle_stage: r.lifecycle_stage ?? 'active',
    tags: JSON.parse(r.tags ?? '{}'),
    updated_at: r.updated_at === null ? null : Number(r.updated_at)
  };
}

/** The group's Default experiment (MLflow id "0"), created on first use. */
export async function defaultExperimentId(
  db: Db,
  groupId: number,
  actor: string
): Promise<number> {
  const meta = await groupMeta(db, groupId);
  if (meta.default_experiment_id !== null) {
    return meta.default_experiment_id;
  }
  const existing = await db
    .selectFrom('experiments')
    .select('id')
    .where('group_id', '=', groupId)
    .where('name', '=', DEFAULT_EXPERIMENT)
    .executeTakeFirst();
  const id =
    existing?.id ??
    (await insertExperiment(
      db,
      groupId,
      await runsModelId(db, groupId, actor),
      DEFAULT_EXPERIMENT,
      {}
    ));
  await saveGroupMeta(db, {
    ...(await groupMeta(db, groupId)),
    default_experiment_id: id
  });
  return id;
}

/** Inserts an experiment; a taken name answers RESOURCE_ALREADY_EXISTS. */
export async function insertExperiment(
  db: Db,
  groupId: number,
  homeModelId: number,
  name: string,
  tags: Record<string, string>
): Promise<number> {
  let id: number;
  try {
    ({ id } = await db
      .insertInto('experiments')
      .values({
        group_id: groupId,
        model_id: homeModelId,
        name,
        created_at: nowIso()
      })
      .returning('id')
      .executeTakeFirstOrThrow());
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw alreadyExists(`Experiment '${name}' already exists.`);
    }
    throw err;
  }
  await saveExperimentMeta(db, id, { lifecycle_stage: 'active', tags });
  return id;
}

/** By MLflow id: "0" is the Default experiment (created on first use). */
export async function experimentById(
  db: Db,
  groupId: number,
  mlflowId: string,
  actor: string
): Promise<Experiment> {
  if (!/^\d+$/.test(mlflowId)) {
    throw invalidParam(`Invalid experiment ID: '${mlflowId}'`);
  }
  const defaultId =
    mlflowId === '0'
      ? await defaultExperimentId(db, groupId, actor)
      : (await groupMeta(db, groupId)).default_experiment_id;
  const id = mlflowId === '0' ? defaultId! : Number(mlflowId);
  const r = await experimentQuery(db, groupId)
    .where('experiments.id', '=', id)
    .executeTakeFirst();
  if (!r) {
    throw doesNotExist(`No Experiment with id=${mlflowId} exists`);
  }
  return toExperiment(r, groupId, defaultId);
}

export async function experimentByName(
  db: Db,
  groupId: number,
  name: string
): Promise<Experiment | null> {
  const r = await experimentQuery(db, groupId)
    .where('experiments.name', '=', name)
    .executeTakeFirst();
  return r
    ? toExperiment(
        r,
        groupId,
        (await groupMeta(db, groupId)).default_experiment_id
      )
    : null;
}

export async function listExperiments(
  db: Db,
  groupId: number
): Promise<Experiment[]> {
  const defaultId = (await groupMeta(db, groupId)).default_experiment_id;
  return (
    await experimentQuery(db, groupId).orderBy('experiments.id').execute()
  ).map(r => toExperiment(r, groupId, defaultId));
}

export async function saveExperimentMeta(
  db: Db,
  id: number,
  patch: { lifecycle_stage?: string; tags?: Record<string, string> }
): Promise<void> {
  const cur = await m(db)
    .selectFrom('mlflow_experiments')
    .selectAll()
    .where('experiment_id', '=', id)
    .executeTakeFirst();
  const row = {
    experiment_id: id,
    lifecycle_stage: patch.lifecycle_stage ?? cur?.lifecycle_stage ?? 'active',
    tags: JSON.stringify(patch.tags ?? JSON.parse(cur?.tags ?? '{}')),
    updated_at: Date.now()
  };
  await m(db)
    .insertInto('mlflow_experiments')
    .values(row)
    .onConflict(oc =>
      oc.column('experiment_id').doUpdateSet({
        lifecycle_stage: row.lifecycle_stage,
        tags: row.tags,
        updated_at: row.updated_at
      })
    )
    .execute();
}

/** MLflow ids of a group's experiments: candidates without an experiment are runs of Default. */
export interface ExperimentIds {
  defaultId: number | null;
  mlflowId(experimentId: number | null): string;
}

export async function experimentIds(
  db: Db,
  groupId: number
): Promise<ExperimentIds> {
  const defaultId = (await groupMeta(db, groupId)).default_experiment_id;
  return {
    defaultId,
    mlflowId: id => (id === null || id === defaultId ? '0' : String(id))
  };
}

// --- runs -------------------------------------------------------------------------------------

export interface Run {
  candidate: CandidateRow;
  model: ModelRow;
  lifecycle_stage: string;
  start_time: number | null;
  end_time: number | null;
}

const MODEL_COLUMNS = [
  'id',
  'group_id',
  'name',
  'description',
  'metadata',
  'created_by',
  'created_at',
  'updated_at',
  'last_candidate_iid',
  'last_mlflow_version'
] as const;

/** The run and its model in one query: every MLflow run call starts here. */
export async function runById(
  db: Db,
  groupId: number,
  runId: string
): Promise<Run> {
  const r = await m(db)
    .selectFrom('candidates')
    .innerJoin('models', 'models.id', 'candidates.model_id')
    .leftJoin('mlflow_runs', 'mlflow_runs.candidate_id', 'candidates.id')
    .selectAll('candidates')
    .select(MODEL_COLUMNS.map(c => `models.${c} as model_${c}` as const))
    .select([
      'mlflow_runs.lifecycle_stage',
      'mlflow_runs.start_time',
      'mlflow_runs.end_time'
    ])
    .where('candidates.run_id', '=', runId)
    .executeTakeFirst();
  if (!r || r.model_group_id !== groupId) {
    throw doesNotExist(`Run with id=${runId} not found`);
  }
  const row = r as unknown as Record<string, unknown>;
  const model = Object.fromEntries(
    MODEL_COLUMNS.map(c => [c, row[`model_${c}`]])
  ) as unknown as ModelRow;
  const candidate = Object.fromEntries(
    Object.entries(row)
      .filter(([k]) => !k.startsWith('model_') || k === 'model_id')
      .filter(
        ([k]) => !['lifecycle_stage', 'start_time', 'end_time'].includes(k)
      )
  ) as unknown as CandidateRow;
  return {
    candidate,
    model,
    lifecycle_stage: r.lifecycle_stage ?? 'active',
    start_time: r.start_time === null ? null : Number(r.start_time),
    end_time: r.end_time === null ? null : Number(r.end_time)
  };
}

export async function saveRunMeta(
  db: Db,
  candidateId: number,
  patch: {
    lifecycle_stage?: string;
    start_time?: number | null;
    end_time?: number | null;
    user_id?: string | null;
  }
): Promise<void> {
  const cur = await m(db)
    .selectFrom('mlflow_runs')
    .selectAll()
    .where('candidate_id', '=', candidateId)
    .executeTakeFirst();
  const row = {
    candidate_id: candidateId,
    lifecycle_stage: patch.lifecycle_stage ?? cur?.lifecycle_stage ?? 'active',
    start_time:
      patch.start_time !== undefined
        ? patch.start_time
        : (cur?.start_time ?? null),
    end_time:
      patch.end_time !== undefined ? patch.end_time : (cur?.end_time ?? null),
    user_id:
      patch.user_id !== undefined ? patch.user_id : (cur?.user_id ?? null)
  };
  await m(db)
    .insertInto('mlflow_runs')
    .values(row)
    .onConflict(oc =>
      oc.column('candidate_id').doUpdateSet({
        lifecycle_stage: row.lifecycle_stage,
        start_time: row.start_time,
        end_time: row.end_time,
        user_id: row.user_id
      })
    )
    .execute();
}

/**
 * Status is not content (params, metrics, artifacts): a run that was registered inside its
 * `with mlflow.start_run()` block must still be able to end, so this write skips the lock.
 */
export async function setRunStatus(
  db: Db,
  candidateId: number,
  status: 'running' | 'finished' | 'failed'
): Promise<void> {
  await db
    .updateTable('candidates')
    .set({ status, updated_at: nowIso() })
    .where('id', '=', candidateId)
    .execute();
}

export async function runMetas(db: Db, candidateIds: number[]) {
  if (!candidateIds.length) {
    return new Map<number, MlflowTables['mlflow_runs']>();
  }
  const rows = await m(db)
    .selectFrom('mlflow_runs')
    .selectAll()
    .where('candidate_id', 'in', candidateIds)
    .execute();
  return new Map(rows.map(r => [r.candidate_id, r]));
}

// --- logged models ----------------------------------------------------------------------------

export type LoggedModelRow = MlflowTables['mlflow_logged_models'];

/** A logged model belongs to the group of its candidate's model. */
const groupLoggedModels = (db: Db, groupId: number) =>
  m(db)
    .selectFrom('mlflow_logged_models')
    .innerJoin(
      'candidates',
      'candidates.id',
      'mlflow_logged_models.candidate_id'
    )
    .innerJoin('models', 'models.id', 'candidates.model_id')
    .where('models.group_id', '=', groupId);

export async function loggedModelById(
  db: Db,
  groupId: number,
  modelId: string
): Promise<LoggedModelRow> {
  const row = await groupLoggedModels(db, groupId)
    .selectAll('mlflow_logged_models')
    .where('mlflow_logged_models.model_id', '=', modelId)
    .executeTakeFirst();
  if (!row) {
    throw doesNotExist(`Logged model with ID '${modelId}' not found.`);
  }
  return row;
}

/** Which of `ids` are logged models of the group. */
export async function groupLoggedModelIds(
  db: Db,
  groupId: number,
  ids: string[]
): Promise<Set<string>> {
  if (!ids.length) {
    return new Set();
  }
  const rows = await groupLoggedModels(db, groupId)
    .select('mlflow_logged_models.model_id')
    .where('mlflow_logged_models.model_id', 'in', ids)
    .execute();
  return new Set(rows.map(r => r.model_id));
}

// --- versions ---------------------------------------------------------------------------------

export type VersionMeta = MlflowTables['mlflow_model_versions'];

export async function versionMetas(
  db: Db,
  versionIds: number[]
): Promise<Map<number, VersionMeta>> {
  if (!versionIds.length) {
    return new Map();
  }
  const rows = await m(db)
    .selectFrom('mlflow_model_versions')
    .selectAll()
    .where('version_id', 'in', versionIds)
    .execute();
  return new Map(rows.map(r => [r.version_id, r]));
}

export async function saveVersionMeta(
  db: Db,
  versionId: number,
  patch: Partial<Omit<VersionMeta, 'version_id' | 'updated_at'>>
): Promise<void> {
  const cur = (await versionMetas(db, [versionId])).get(versionId);
  const row: VersionMeta = {
    version_id: versionId,
    run_id: patch.run_id !== undefined ? patch.run_id : (cur?.run_id ?? null),
    tags: patch.tags ?? cur?.tags ?? '{}',
    stage: patch.stage ?? cur?.stage ?? 'None',
    source: patch.source !== undefined ? patch.source : (cur?.source ?? null),
    logged_model_id:
      patch.logged_model_id !== undefined
        ? patch.logged_model_id
        : (cur?.logged_model_id ?? null),
    updated_at: Date.now()
  };
  const { version_id: _v, ...rest } = row;
  await m(db)
    .insertInto('mlflow_model_versions')
    .values(row)
    .onConflict(oc => oc.column('version_id').doUpdateSet(rest))
    .execute();
}

/** A registered model is a model of the group other than the runs model. */
export async function registeredModel(
  db: Db,
  groupId: number,
  name: string
): Promise<ModelRow> {
  const model = await findModel(db, groupId, name);
  if (!model || model.id === (await groupMeta(db, groupId)).runs_model_id) {
    throw doesNotExist(`Registered Model with name=${name} not found`);
  }
  return model;
}

/** MLflow numbers versions 1, 2, 3 per model; the registry keeps that number on each version. */
export async function versionByNumber(
  db: Db,
  model: ModelRow,
  number: string
): Promise<VersionRow> {
  const n = Number(number);
  const row =
    Number.isInteger(n) && n > 0
      ? await db
          .selectFrom('versions')
          .selectAll()
          .where('model_id', '=', model.id)
          .where('mlflow_version', '=', n)
          .executeTakeFirst()
      : undefined;
  if (!row) {
    throw doesNotExist(
      `Model Version (name=${model.name}, version=${number}) not found`
    );
  }
  return row;
}
