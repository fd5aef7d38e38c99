import { sql, type Kysely } from 'kysely';

// Frozen in time. Experiments become the group's own entity, as in MLflow: free-text names, unique in the
// group, separate from models (a candidate belongs to a model and to an experiment; `experiments.model_id`
// is kept as the experiment's home model: where runs created in it through MLflow are filed).
//
// Existing rows keep their ids. Their names: a series named like its model keeps that name; a series that
// MLflow created (it has MLflow metadata) keeps its MLflow name "<model>/<series>"; any other series keeps
// its series name, and series of the same name in several models of a group become one experiment.
// A registered model version made from a copied run remembers the training run (mlflow_model_versions.run_id).

interface Row {
  id: number;
  group_id: number;
  model_name: string;
  series: string;
  has_meta: number;
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('experiments')
    .addColumn('group_id', 'integer', c =>
      c.references('groups.id').onDelete('cascade')
    )
    .execute();
  await sql`update experiments set group_id =
    (select group_id from models where models.id = experiments.model_id)`.execute(
    db
  );

  const rows = (await db
    .selectFrom('experiments as e')
    .innerJoin('models as m', 'm.id', 'e.model_id')
    .select([
      'e.id as id',
      'm.group_id as group_id',
      'm.name as model_name',
      'e.name as series',
      sql<number>`(select count(*) from mlflow_experiments x where x.experiment_id = e.id)`.as(
        'has_meta'
      )
    ])
    .orderBy('e.id')
    .execute()) as Row[];
  const kept = new Map<string, number>();
  for (const r of rows) {
    const name =
      r.series !== r.model_name && Number(r.has_meta) > 0
        ? `${r.model_name}/${r.series}`
        : r.series;
    const key = `${r.group_id}\0${name}`;
    const keep = kept.get(key);
    if (keep === undefined) {
      kept.set(key, r.id);
      if (name !== r.series) {
        await db
          .updateTable('experiments')
          .set({ name })
          .where('id', '=', r.id)
          .execute();
      }
      continue;
    }
    for (const table of ['candidates', 'mlflow_logged_models']) {
      await db
        .updateTable(table)
        .set({ experiment_id: keep })
        .where('experiment_id', '=', r.id)
        .execute();
    }
    await db
      .deleteFrom('mlflow_experiments')
      .where('experiment_id', '=', r.id)
      .execute();
    await db.deleteFrom('experiments').where('id', '=', r.id).execute();
  }
  await db.schema
    .createIndex('experiments_group_name_uq')
    .on('experiments')
    .columns(['group_id', 'name'])
    .unique()
    .execute();

  // Per group: the Default experiment (MLflow's id "0") and the model that holds runs not yet registered.
  await db.schema
    .createTable('mlflow_groups')
    .addColumn('group_id', 'integer', c =>
      c.primaryKey().references('groups.id').onDelete('cascade')
    )
    .addColumn('default_experiment_id', 'integer', c =>
      c.references('experiments.id').onDelete('set null')
    )
    .addColumn('runs_model_id', 'integer', c =>
      c.references('models.id').onDelete('set null')
    )
    .execute();
  const defaults = await db
    .selectFrom('experiments as e')
    .innerJoin('models as m', 'm.id', 'e.model_id')
    .select(['e.id as id', 'e.group_id as group_id'])
    .where('e.name', '=', 'Default')
    .where('m.name', '=', 'Default')
    .execute();
  for (const d of defaults) {
    await db
      .insertInto('mlflow_groups')
      .values({ group_id: d.group_id, default_experiment_id: d.id })
      .execute();
  }

  await db.schema
    .alterTable('mlflow_model_versions')
    .addColumn('run_id', 'text')
    .execute();
  const copies = await db
    .selectFrom('versions as v')
    .innerJoin('candidate_tags as t', 't.candidate_id', 'v.candidate_id')
    .select(['v.id as version_id', 't.value as value'])
    .where('t.key', '=', 'modelreg.source')
    .execute();
  for (const c of copies) {
    const runId = /\(run ([0-9a-f]{32})\)/.exec(String(c.value))?.[1];
    if (runId) {
      await db
        .updateTable('mlflow_model_versions')
        .set({ run_id: runId })
        .where('version_id', '=', c.version_id)
        .execute();
    }
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('mlflow_model_versions')
    .dropColumn('run_id')
    .execute();
  await db.schema.dropTable('mlflow_groups').execute();
  await db.schema.dropIndex('experiments_group_name_uq').execute();
  await db.schema.alterTable('experiments').dropColumn('group_id').execute();
}
