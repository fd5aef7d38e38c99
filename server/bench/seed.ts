import crypto from 'node:crypto';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { ensureAdmin } from '../src/bootstrap';
import { openDatabase } from '../src/db/connect';
import { nowIso } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';

export interface SeedShape {
  models: number;
  candidatesPerModel: number;
  metricsPerCandidate: number;
}

/** Candidate 1 of model m0 also gets a metric `curve` with this many steps (history reads). */
export const HISTORY_STEPS = 10_000;

const CANDIDATES_PER_TRANSACTION = 20_000;

/** The metrics every seeded candidate has: `loss`, then `metric_1` .. `metric_{M-1}`. */
function metricKeys(shape: SeedShape): string[] {
  return Array.from({ length: shape.metricsPerCandidate }, (_, k) =>
    k === 0 ? 'loss' : `metric_${k}`
  );
}

const METADATA = JSON.stringify({
  task: 'classification',
  framework: 'sklearn',
  license: '',
  tags: ['bench'],
  intended_use: '',
  limitations: '',
  metric_goals: {},
  extra: {}
});

/** Tables the seed fills: their secondary indexes are dropped first and rebuilt once at the end. */
const BULK_TABLES = ['candidates', 'params', 'metrics', 'latest_metrics'];

/**
 * Fills a fresh SQLite registry through the schema the server migrates to: group "bench", models
 * m0..m{N-1}, each with candidates 1..C carrying two params and M metrics (`loss`, `metric_1`..).
 * Bulk-loads with prepared statements and rebuilds the indexes afterwards, as a restore would:
 * a million candidates x 20 metrics is 40 million metric rows.
 */
export async function seedRegistry(
  dataDir: string,
  adminToken: string,
  shape: SeedShape,
  log: (s: string) => void,
  postgres: { url: string; schema: string } | null = null
): Promise<void> {
  const { db } = await openDatabase({
    dataDir,
    databaseUrl: postgres?.url ?? null,
    databaseSchema: postgres?.schema ?? null
  });
  try {
    await migrateToLatest(db);
    await ensureAdmin(db, dataDir, adminToken);
  } finally {
    await db.destroy();
  }
  if (postgres) {
    await bulkLoadPostgres(postgres, shape, log);
    return;
  }
  const sqlite = new SqliteDatabase(path.join(dataDir, 'registry.sqlite'));
  try {
    sqlite.pragma('synchronous = OFF');
    sqlite.pragma('foreign_keys = OFF');
    sqlite.pragma('cache_size = -262144');
    bulkLoad(sqlite, shape, log);
  } finally {
    sqlite.close();
  }
}

function bulkLoad(
  sqlite: SqliteDatabase.Database,
  shape: SeedShape,
  log: (s: string) => void
): void {
  const now = nowIso();
  const adminId = (
    sqlite.prepare(`select id from users where username = 'admin'`).get() as {
      id: number;
    }
  ).id;
  const groupId = Number(
    sqlite
      .prepare(
        `insert into groups (name, visibility, created_at) values ('bench', 'private', ?)`
      )
      .run(now).lastInsertRowid
  );
  sqlite
    .prepare(
      `insert into memberships (group_id, user_id, role, created_at) values (?, ?, 'owner', ?)`
    )
    .run(groupId, adminId, now);

  const indexes = sqlite
    .prepare(
      `select name, sql from sqlite_master where type = 'index' and sql is not null
         and tbl_name in (${BULK_TABLES.map(() => '?').join(',')})`
    )
    .all(...BULK_TABLES) as { name: string; sql: string }[];
  for (const index of indexes) {
    sqlite.exec(`drop index "${index.name}"`);
  }

  const insertModel = sqlite.prepare(
    `insert into models (group_id, name, description, metadata, created_by, created_at, updated_at,
       last_candidate_iid, candidate_count, last_mlflow_version)
     values (?, ?, ?, ?, 'admin', ?, ?, ?, ?, 0)`
  );
  const insertCandidate = sqlite.prepare(
    `insert into candidates (model_id, iid, run_id, name, experiment_id, status, provenance, author,
       locked, created_at, updated_at)
     values (?, ?, ?, ?, null, 'finished', '{}', 'admin', 0, ?, ?)`
  );
  const insertParam = sqlite.prepare(
    `insert into params (candidate_id, key, value) values (?, ?, ?)`
  );
  const insertMetric = sqlite.prepare(
    `insert into metrics (candidate_id, key, value, step, timestamp) values (?, ?, ?, ?, ?)`
  );
  const insertLatest = sqlite.prepare(
    `insert into latest_metrics (candidate_id, key, value, step, timestamp) values (?, ?, ?, ?, ?)`
  );
  const keys = metricKeys(shape);
  const started = Date.now();
  const total = shape.models * shape.candidatesPerModel;
  let done = 0;
  let ts = Date.now();
  const loadCandidates = sqlite.transaction(
    (modelId: number, from: number, to: number) => {
      for (let iid = from; iid <= to; iid++) {
        const id = Number(
          insertCandidate.run(
            modelId,
            iid,
            crypto.randomUUID().replace(/-/g, ''),
            `run-${iid}`,
            now,
            now
          ).lastInsertRowid
        );
        insertParam.run(id, 'depth', String(iid % 10));
        insertParam.run(id, 'lr', String((iid % 7) / 10));
        for (const key of keys) {
          const value = Math.random();
          const at = ts++;
          insertMetric.run(id, key, value, 10, at);
          insertLatest.run(id, key, value, 10, at);
        }
      }
    }
  );
  for (let m = 0; m < shape.models; m++) {
    const modelId = Number(
      insertModel.run(
        groupId,
        `m${m}`,
        `# Model ${m}\nSeeded for the benchmark.`,
        METADATA,
        now,
        now,
        shape.candidatesPerModel,
        shape.candidatesPerModel
      ).lastInsertRowid
    );
    for (
      let from = 1;
      from <= shape.candidatesPerModel;
      from += CANDIDATES_PER_TRANSACTION
    ) {
      const to = Math.min(
        shape.candidatesPerModel,
        from + CANDIDATES_PER_TRANSACTION - 1
      );
      loadCandidates(modelId, from, to);
      const before = done;
      done += to - from + 1;
      if (Math.floor(done / 100_000) > Math.floor(before / 100_000)) {
        log(
          `seeded ${done}/${total} candidates (${((Date.now() - started) / 1000).toFixed(0)} s)`
        );
      }
    }
  }
  const history = sqlite.transaction(() => {
    const first = sqlite
      .prepare(
        `select c.id from candidates c join models m on m.id = c.model_id
         where m.name = 'm0' and c.iid = 1`
      )
      .get() as { id: number } | undefined;
    if (!first) {
      return;
    }
    let value = 1;
    for (let step = 0; step < HISTORY_STEPS; step++) {
      value *= 0.9995;
      insertMetric.run(first.id, 'curve', value, step, ts++);
    }
    insertLatest.run(first.id, 'curve', value, HISTORY_STEPS - 1, ts++);
  });
  history();
  log(
    `rows in ${((Date.now() - started) / 1000).toFixed(0)} s; rebuilding ${indexes.length} indexes`
  );
  for (const index of indexes) {
    sqlite.exec(index.sql);
  }
  // Planner statistics, as a long-running registry would have them.
  sqlite.exec('analyze');
  log(
    `indexes and statistics in ${((Date.now() - started) / 1000).toFixed(0)} s`
  );
}

/**
 * The same rows into PostgreSQL: one multi-row INSERT ... SELECT FROM unnest(arrays) per table and
 * chunk, secondary indexes dropped first and rebuilt at the end (constraint indexes stay).
 */
async function bulkLoadPostgres(
  target: { url: string; schema: string },
  shape: SeedShape,
  log: (s: string) => void
): Promise<void> {
  const client = new pg.Client({
    connectionString: target.url,
    options: `-c search_path="${target.schema}"`
  });
  await client.connect();
  try {
    await client.query('set synchronous_commit = off');
    const now = nowIso();
    const one = async (text: string, values: unknown[] = []) =>
      (await client.query(text, values)).rows[0];
    const adminId = (await one(`select id from users where username = 'admin'`))
      .id;
    const groupId = (
      await one(
        `insert into groups (name, visibility, created_at) values ('bench', 'private', $1) returning id`,
        [now]
      )
    ).id;
    await client.query(
      `insert into memberships (group_id, user_id, role, created_at) values ($1, $2, 'owner', $3)`,
      [groupId, adminId, now]
    );
    const indexes = (
      await client.query(
        `select i.indexname, i.indexdef from pg_indexes i
          where i.schemaname = $1 and i.tablename = any($2)
            and not exists (select 1 from pg_constraint c where c.conindid =
                  (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)`,
        [target.schema, BULK_TABLES]
      )
    ).rows as { indexname: string; indexdef: string }[];
    for (const index of indexes) {
      await client.query(`drop index "${index.indexname}"`);
    }
    const keys = metricKeys(shape);
    const started = Date.now();
    const total = shape.models * shape.candidatesPerModel;
    const chunk = 5_000;
    let done = 0;
    let ts = Date.now();
    for (let m = 0; m < shape.models; m++) {
      const modelId = (
        await one(
          `insert into models (group_id, name, description, metadata, created_by, created_at, updated_at,
             last_candidate_iid, candidate_count, last_mlflow_version)
           values ($1, $2, $3, $6, 'admin', $4, $4, $5, $5, 0) returning id`,
          [
            groupId,
            `m${m}`,
            `# Model ${m}\nSeeded for the benchmark.`,
            now,
            shape.candidatesPerModel,
            METADATA
          ]
        )
      ).id;
      for (let from = 1; from <= shape.candidatesPerModel; from += chunk) {
        const to = Math.min(shape.candidatesPerModel, from + chunk - 1);
        const iids = Array.from({ length: to - from + 1 }, (_, i) => from + i);
        await client.query('begin');
        const ids = (
          await client.query(
            `insert into candidates (model_id, iid, run_id, name, status, provenance, author, locked,
               created_at, updated_at)
             select $1, iid, run_id, 'run-' || iid, 'finished', '{}', 'admin', 0, $2, $2
               from unnest($3::int[], $4::text[]) as u(iid, run_id)
             returning id, iid`,
            [
              modelId,
              now,
              iids,
              iids.map(() => crypto.randomUUID().replace(/-/g, ''))
            ]
          )
        ).rows
          .sort((a, b) => a.iid - b.iid)
          .map(r => Number(r.id));
        await client.query(
          `insert into params (candidate_id, key, value)
           select * from unnest($1::int[], $2::text[], $3::text[])`,
          [
            ids.flatMap(id => [id, id]),
            ids.flatMap(() => ['depth', 'lr']),
            iids.flatMap(iid => [String(iid % 10), String((iid % 7) / 10)])
          ]
        );
        const cid: number[] = [];
        const key: string[] = [];
        const value: number[] = [];
        const at: number[] = [];
        for (const id of ids) {
          for (const k of keys) {
            cid.push(id);
            key.push(k);
            value.push(Math.random());
            at.push(ts++);
          }
        }
        for (const table of ['metrics', 'latest_metrics']) {
          await client.query(
            `insert into ${table} (candidate_id, key, value, step, timestamp)
             select c, k, v, 10, t from unnest($1::int[], $2::text[], $3::float8[], $4::bigint[]) as u(c, k, v, t)`,
            [cid, key, value, at]
          );
        }
        await client.query('commit');
        const before = done;
        done += ids.length;
        if (Math.floor(done / 100_000) > Math.floor(before / 100_000)) {
          log(
            `seeded ${done}/${total} candidates (${((Date.now() - started) / 1000).toFixed(0)} s)`
          );
        }
      }
    }
    const first = await one(
      `select c.id from candidates c join models m on m.id = c.model_id where m.name = 'm0' and c.iid = 1`
    );
    if (first) {
      const steps = Array.from({ length: HISTORY_STEPS }, (_, i) => i);
      await client.query(
        `insert into metrics (candidate_id, key, value, step, timestamp)
         select $1, 'curve', power(0.9995, s + 1), s, $2::bigint + s from unnest($3::int[]) as u(s)`,
        [first.id, ts, steps]
      );
      await client.query(
        `insert into latest_metrics (candidate_id, key, value, step, timestamp)
         values ($1, 'curve', power(0.9995, $2::int), $3, $4)`,
        [first.id, HISTORY_STEPS, HISTORY_STEPS - 1, ts + HISTORY_STEPS]
      );
    }
    log(
      `rows in ${((Date.now() - started) / 1000).toFixed(0)} s; rebuilding ${indexes.length} indexes`
    );
    for (const index of indexes) {
      await client.query(index.indexdef);
    }
    await client.query('analyze');
    // And VACUUM the bulk tables (not the whole database, which other schemas share): until the
    // visibility map is set, every index-only scan still visits the heap (the search's metric
    // walk: a heap page per entry). Autovacuum sets it on a registry at rest.
    for (const table of BULK_TABLES) {
      await client.query(`vacuum "${table}"`);
    }
    log(
      `indexes and statistics in ${((Date.now() - started) / 1000).toFixed(0)} s`
    );
  } finally {
    await client.end();
  }
}
