import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Migrator, type Kysely } from 'kysely';
import { openDatabase } from '../../src/db/connect';
import { MIGRATIONS } from '../../src/db/migrate';
import { dropSchema, PG_URL, postgresReachableSync } from '../helpers/server';

// Existing data from before experiments were the group's own: (model, series) rows become group experiments.
const BEFORE = '2026-12-01-workflow';
const NOW = new Date().toISOString();

async function seed(db: Kysely<any>): Promise<Record<string, number>> {
  const { id: groupId } = await db
    .insertInto('groups')
    .values({ name: 'acme', visibility: 'private', created_at: NOW })
    .returning('id')
    .executeTakeFirstOrThrow();
  const model = async (name: string, description = '') =>
    (
      await db
        .insertInto('models')
        .values({
          group_id: groupId,
          name,
          description,
          metadata: '{}',
          created_by: 'ana',
          created_at: NOW,
          updated_at: NOW,
          last_candidate_iid: 0,
          last_mlflow_version: 0
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const experiment = async (modelId: number, name: string, mlflow: boolean) => {
    const { id } = await db
      .insertInto('experiments')
      .values({ model_id: modelId, name, created_at: NOW })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (mlflow) {
      await db
        .insertInto('mlflow_experiments')
        .values({ experiment_id: id, updated_at: Date.now() })
        .execute();
    }
    return id;
  };
  const churn = await model('churn');
  const fraud = await model('fraud');
  const dflt = await model(
    'Default',
    'Runs of the MLflow experiment "Default".'
  );
  const ids: Record<string, number> = {
    groupId,
    churn: await experiment(churn, 'churn', true),
    churnTuning: await experiment(churn, 'tuning', true),
    churnSweep: await experiment(churn, 'sweep', false),
    fraudSweep: await experiment(fraud, 'sweep', false),
    dflt: await experiment(dflt, 'Default', true)
  };
  let iid = 0;
  for (const [modelId, experimentId] of [
    [churn, ids.churnSweep],
    [fraud, ids.fraudSweep]
  ]) {
    const { id } = await db
      .insertInto('candidates')
      .values({
        model_id: modelId,
        iid: ++iid,
        run_id: `${experimentId}`.padStart(32, '0'),
        name: `c${iid}`,
        experiment_id: experimentId,
        status: 'finished',
        provenance: '{}',
        author: 'ana',
        locked: 0,
        created_at: NOW,
        updated_at: NOW
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids[`candidate${iid}`] = id;
  }
  return ids;
}

async function migrated(db: Kysely<any>, schema?: string) {
  // As server/src/db/migrate.ts does: without the schema, Kysely takes another schema's lock table
  // (a test run that was killed leaves its schema behind) for this one's and then cannot find it.
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    allowUnorderedMigrations: true,
    ...(schema ? { migrationTableSchema: schema } : {})
  });
  const to = await migrator.migrateTo(BEFORE);
  expect(to.error).toBeUndefined();
  const ids = await seed(db);
  const latest = await migrator.migrateToLatest();
  expect(latest.error).toBeUndefined();
  const experiments = await db
    .selectFrom('experiments')
    .select(['id', 'group_id', 'name'])
    .orderBy('id')
    .execute();
  const candidates = await db
    .selectFrom('candidates')
    .select(['id', 'experiment_id'])
    .orderBy('id')
    .execute();
  const groups = await db.selectFrom('mlflow_groups').selectAll().execute();
  return { ids, experiments, candidates, groups };
}

function expectGroupExperiments(r: Awaited<ReturnType<typeof migrated>>) {
  const { ids } = r;
  // Ids stay; MLflow's names stay; a modelreg series shared by two models becomes one experiment.
  expect(r.experiments).toEqual([
    { id: ids.churn, group_id: ids.groupId, name: 'churn' },
    { id: ids.churnTuning, group_id: ids.groupId, name: 'churn/tuning' },
    { id: ids.churnSweep, group_id: ids.groupId, name: 'sweep' },
    { id: ids.dflt, group_id: ids.groupId, name: 'Default' }
  ]);
  expect(r.candidates.map(c => c.experiment_id)).toEqual([
    ids.churnSweep,
    ids.churnSweep
  ]);
  expect(r.groups).toEqual([
    {
      group_id: ids.groupId,
      default_experiment_id: ids.dflt,
      runs_model_id: null
    }
  ]);
}

describe('migration 2026-12-01T1500-group-experiments', () => {
  test('[sqlite] experiments become the group’s, with their ids and MLflow names', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-migrate-'));
    const { db } = await openDatabase({
      dataDir: dir,
      databaseUrl: null,
      databaseSchema: null
    });
    try {
      expectGroupExperiments(await migrated(db));
    } finally {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  (postgresReachableSync() ? test : test.skip)(
    '[postgres] experiments become the group’s, with their ids and MLflow names',
    async () => {
      const schema = `migr_${process.pid}_${Date.now()}`;
      const { db } = await openDatabase({
        dataDir: '',
        databaseUrl: PG_URL,
        databaseSchema: schema
      });
      try {
        expectGroupExperiments(await migrated(db, schema));
      } finally {
        await db.destroy();
        await dropSchema(schema);
      }
    }
  );
});
