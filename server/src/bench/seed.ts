import crypto from 'node:crypto';
import { sql } from 'kysely';
import { ensureAdmin } from '../bootstrap';
import { openDatabase } from '../db/connect';
import { nowIso } from '../db/database';
import { migrateToLatest } from '../db/migrate';

export interface SeedShape {
  models: number;
  candidatesPerModel: number;
  metricsPerCandidate: number;
}

const ROWS_PER_INSERT = 1000;

/**
 * Fills a fresh SQLite registry directly through Kysely (big transactions, multi-row inserts):
 * group "bench", models m0..m{N-1}, each with candidates 1..C carrying params and metrics.
 */
export async function seedRegistry(
  dataDir: string,
  adminToken: string,
  shape: SeedShape,
  log: (s: string) => void
): Promise<void> {
  const { db } = await openDatabase({
    dataDir,
    databaseUrl: null,
    databaseSchema: null
  });
  try {
    await migrateToLatest(db);
    await ensureAdmin(db, dataDir, adminToken);
    const admin = await db
      .selectFrom('users')
      .select('id')
      .where('username', '=', 'admin')
      .executeTakeFirstOrThrow();
    const now = nowIso();
    const group = await db
      .insertInto('groups')
      .values({ name: 'bench', visibility: 'private', created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('memberships')
      .values({
        group_id: group.id,
        user_id: admin.id,
        role: 'owner',
        created_at: now
      })
      .execute();
    const metadata = JSON.stringify({
      task: 'classification',
      framework: 'sklearn',
      license: '',
      tags: ['bench'],
      intended_use: '',
      limitations: '',
      metric_goals: {},
      extra: {}
    });
    const started = Date.now();
    let ts = Date.now();
    for (let m = 0; m < shape.models; m++) {
      await db.transaction().execute(async trx => {
        const model = await trx
          .insertInto('models')
          .values({
            group_id: group.id,
            name: `m${m}`,
            description: `# Model ${m}\nSeeded for the benchmark.`,
            metadata,
            created_by: 'admin',
            created_at: now,
            updated_at: now,
            last_candidate_iid: shape.candidatesPerModel,
            last_mlflow_version: 0
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const candidates = Array.from(
          { length: shape.candidatesPerModel },
          (_, i) => ({
            model_id: model.id,
            iid: i + 1,
            run_id: crypto.randomUUID().replace(/-/g, ''),
            name: `run-${i + 1}`,
            experiment_id: null,
            status: 'finished',
            provenance: '{}',
            author: 'admin',
            ci_pipeline_id: null,
            ci_merge_request: null,
            git_commit: null,
            locked: 0,
            created_at: now,
            updated_at: now
          })
        );
        const ids: number[] = [];
        for (let i = 0; i < candidates.length; i += ROWS_PER_INSERT) {
          const rows = await trx
            .insertInto('candidates')
            .values(candidates.slice(i, i + ROWS_PER_INSERT))
            .returning('id')
            .execute();
          ids.push(...rows.map(r => r.id));
        }
        const metrics = ids.flatMap(id =>
          Array.from({ length: shape.metricsPerCandidate }, (_, k) => ({
            candidate_id: id,
            key: k === 0 ? 'loss' : `metric_${k}`,
            value: Math.random(),
            step: 10,
            timestamp: ts++
          }))
        );
        const params = ids.flatMap(id => [
          { candidate_id: id, key: 'depth', value: String(id % 10) },
          { candidate_id: id, key: 'lr', value: '0.1' }
        ]);
        for (let i = 0; i < metrics.length; i += ROWS_PER_INSERT) {
          const slice = metrics.slice(i, i + ROWS_PER_INSERT);
          await trx.insertInto('metrics').values(slice).execute();
          await trx.insertInto('latest_metrics').values(slice).execute();
        }
        for (let i = 0; i < params.length; i += ROWS_PER_INSERT) {
          await trx
            .insertInto('params')
            .values(params.slice(i, i + ROWS_PER_INSERT))
            .execute();
        }
      });
      if ((m + 1) % 100 === 0) {
        log(
          `seeded ${m + 1}/${shape.models} models (${((Date.now() - started) / 1000).toFixed(0)} s)`
        );
      }
    }
    // Planner statistics, as a long-running registry would have them.
    await sql`analyze`.execute(db);
  } finally {
    await db.destroy();
  }
}
