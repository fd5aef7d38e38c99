import type { Kysely } from 'kysely';
import type {
  CandidateRow,
  Database,
  Db,
  ModelRow,
  VersionRow
} from '../db/database';
import { nowIso } from '../db/database';
import { NAME_RE } from '../domain/roles';
import { findModel } from '../repos/models';
import { doesNotExist, invalidParam } from './errors';

/** The MLflow-only tables (migration 2026-11-26-mlflow); each row hangs off a registry row. */
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
  };
  mlflow_logged_models: {
    model_id: string;
    candidate_id: number;
    experiment_id: number;
    name: string;
    from_run: number;
    status: string;
    model_type: string;
    tags: string;
    params: string;
    created_at: number;
    updated_at: number;
  };
  mlflow_model_versions: {
    version_id: number;
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

/** An MLflow experiment: a registry experiment (a named series of one model) seen by MLflow. */
export interface Experiment {
  id: number;
  name: string;
  model: ModelRow;
  series: string;
  created_at: string;
  lifecycle_stage: string;
  tags: Record<string, string>;
  updated_at: number | null;
}

/** MLflow name <-> (model, series): "churn" is model churn's series "churn"; "churn/tuning" its series "tuning". */
export function experimentName(modelName: string, series: string): string {
  return series === modelName ? modelName : `${modelName}/${series}`;
}

export function splitExperimentName(name: string): {
  model: string;
  series: string;
} {
  const slash = name.indexOf('/');
  const model = slash < 0 ? name : name.slice(0, slash);
  const series = slash < 0 ? name : name.slice(slash + 1);
  if (!NAME_RE.test(model) || !NAME_RE.test(series)) {
    throw invalidParam(
      `experiment name "${name}" must be "<model>" or "<model>/<series>", each made of letters, digits, ".", "_", "-" (it names the model its runs belong to)`
    );
  }
  return { model, series };
}

function experimentQuery(db: Db, groupId: number) {
  return m(db)
    .selectFrom('experiments')
    .innerJoin('models', 'models.id', 'experiments.model_id')
    .leftJoin(
      'mlflow_experiments',
      'mlflow_experiments.experiment_id',
      'experiments.id'
    )
    .selectAll('models')
    .select([
      'experiments.id as exp_id',
      'experiments.name as series',
      'experiments.created_at as exp_created_at',
      'mlflow_experiments.lifecycle_stage',
      'mlflow_experiments.tags as exp_tags',
      'mlflow_experiments.updated_at as exp_updated_at'
    ])
    .where('models.group_id', '=', groupId);
}

type ExperimentJoinRow = Awaited<
  ReturnType<ReturnType<typeof experimentQuery>['execute']>
>[number];

function toExperiment(r: ExperimentJoinRow): Experiment {
  const {
    exp_id,
    series,
    exp_created_at,
    lifecycle_stage,
    exp_tags,
    exp_updated_at,
    ...model
  } = r;
  return {
    id: exp_id,
    name: experimentName(model.name, series),
    model: model as ModelRow,
    series,
    created_at: exp_created_at,
    lifecycle_stage: lifecycle_stage ?? 'active',
    tags: JSON.parse(exp_tags ?? '{}'),
    updated_at: exp_updated_at === null ? null : Number(exp_updated_at)
  };
}

export async function experimentById(
  db: Db,
  groupId: number,
  id: number
): Promise<Experiment> {
  const r = await experimentQuery(db, groupId)
    .where('experiments.id', '=', id)
    .executeTakeFirst();
  if (!r) {
    throw doesNotExist(`No Experiment with id=${id} exists`);
  }
  return toExperiment(r);
}

export async function experimentByName(
  db: Db,
  groupId: number,
  name: string
): Promise<Experiment | null> {
  const { model, series } = splitExperimentName(name);
  const r = await experimentQuery(db, groupId)
    .where('models.name', '=', model)
    .where('experiments.name', '=', series)
    .executeTakeFirst();
  return r ? toExperiment(r) : null;
}

export async function listExperiments(
  db: Db,
  groupId: number
): Promise<Experiment[]> {
  return (
    await experimentQuery(db, groupId).orderBy('experiments.id').execute()
  ).map(toExperiment);
}

/** Inserts the registry experiment row if missing (it may already exist from modelreg's API). */
export async function ensureExperimentRow(
  db: Db,
  model: ModelRow,
  series: string
): Promise<number> {
  await db
    .insertInto('experiments')
    .values({ model_id: model.id, name: series, created_at: nowIso() })
    .onConflict(oc => oc.columns(['model_id', 'name']).doNothing())
    .execute();
  const row = await db
    .selectFrom('experiments')
    .select('id')
    .where('model_id', '=', model.id)
    .where('name', '=', series)
    .executeTakeFirstOrThrow();
  return row.id;
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

/** Candidates logged through modelreg without a series show up under an experiment named after their model. */
export async function ensureModelExperiments(
  db: Db,
  groupId: number
): Promise<void> {
  const missing = await db
    .selectFrom('models')
    .selectAll()
    .where('group_id', '=', groupId)
    .where(eb =>
      eb.exists(
        eb
          .selectFrom('candidates')
          .select('candidates.id')
          .whereRef('candidates.model_id', '=', 'models.id')
          .where('candidates.experiment_id', 'is', null)
      )
    )
    .where(eb =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('experiments')
            .select('experiments.id')
            .whereRef('experiments.model_id', '=', 'models.id')
            .whereRef('experiments.name', '=', 'models.name')
        )
      )
    )
    .execute();
  for (const model of missing) {
    await ensureExperimentRow(db, model, model.name);
  }
}

/** The experiment a candidate's run belongs to: its series, or the model's own series when it has none. */
export async function experimentOfCandidate(
  db: Db,
  model: ModelRow,
  candidate: CandidateRow
): Promise<number> {
  return candidate.experiment_id ?? ensureExperimentRow(db, model, model.name);
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
      patch.end_time !== undefined ? patch.end_time : (cur?.end_time ?? null)
  };
  await m(db)
    .insertInto('mlflow_runs')
    .values(row)
    .onConflict(oc =>
      oc.column('candidate_id').doUpdateSet({
        lifecycle_stage: row.lifecycle_stage,
        start_time: row.start_time,
        end_time: row.end_time
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

export async function loggedModelById(
  db: Db,
  groupId: number,
  modelId: string
): Promise<LoggedModelRow> {
  const r = await m(db)
    .selectFrom('mlflow_logged_models')
    .innerJoin(
      'candidates',
      'candidates.id',
      'mlflow_logged_models.candidate_id'
    )
    .innerJoin('models', 'models.id', 'candidates.model_id')
    .selectAll('mlflow_logged_models')
    .select('models.group_id')
    .where('mlflow_logged_models.model_id', '=', modelId)
    .executeTakeFirst();
  if (!r || r.group_id !== groupId) {
    throw doesNotExist(`Logged model with ID '${modelId}' not found.`);
  }
  const { group_id: _g, ...row } = r;
  return row;
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

/** A registered model is a model of the group. */
export async function registeredModel(
  db: Db,
  groupId: number,
  name: string
): Promise<ModelRow> {
  const model = await findModel(db, groupId, name);
  if (!model) {
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

export async function renameModel(
  db: Db,
  model: ModelRow,
  newName: string
): Promise<void> {
  await db
    .updateTable('models')
    .set({ name: newName, updated_at: nowIso() })
    .where('id', '=', model.id)
    .execute();
}
