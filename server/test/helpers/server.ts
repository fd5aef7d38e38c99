import { spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { spawnRegistry } from '../support/registry';

/** A real registry process (dist/cli.js) on a random port, with a temp data dir. */
export interface TestServer {
  url: string;
  dataDir: string;
  adminToken: string;
  backend: Backend;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export type Backend = 'sqlite' | 'postgres';

export const PG_URL =
  process.env.MODELREG_TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';

export async function dropSchema(
  schema: string,
  url: string = PG_URL
): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export async function startServer(
  backend: Backend,
  settings: NodeJS.ProcessEnv = {}
): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-test-'));
  const adminToken = 'mr_test_' + crypto.randomBytes(16).toString('hex');
  const schema = `mr_test_${crypto.randomBytes(6).toString('hex')}`;
  const env: NodeJS.ProcessEnv = {
    MODELREG_ADMIN_TOKEN: adminToken,
    MODELREG_DATABASE_URL: '',
    MODELREG_DATABASE_SCHEMA: '',
    ...settings
  };
  if (backend === 'postgres') {
    env.MODELREG_DATABASE_URL = PG_URL;
    env.MODELREG_DATABASE_SCHEMA = schema;
  }
  const cleanUp = async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (backend === 'postgres') {
      await dropSchema(schema);
    }
  };
  let registry: Awaited<ReturnType<typeof spawnRegistry>>;
  try {
    registry = await spawnRegistry({ dataDir, env });
  } catch (err) {
    await cleanUp();
    throw err;
  }
  return {
    url: registry.url,
    dataDir,
    adminToken,
    backend,
    proc: registry.proc,
    async stop() {
      await registry.stop();
      await cleanUp();
    }
  };
}

/** Checked once, synchronously, so suites can be declared skipped (jest cannot skip at run time). */
export function postgresReachableSync(): boolean {
  if (process.env.MODELREG_TEST_PG_REACHABLE) {
    return process.env.MODELREG_TEST_PG_REACHABLE === '1';
  }
  const probe =
    `const pg=require('pg');const c=new pg.Client({connectionString:process.argv[1],connectionTimeoutMillis:2000});` +
    `c.connect().then(()=>c.query('select 1')).then(()=>process.exit(0),()=>process.exit(1))`;
  const r = spawnSync(process.execPath, ['-e', probe, PG_URL], {
    cwd: path.join(__dirname, '..', '..'),
    timeout: 10_000
  });
  process.env.MODELREG_TEST_PG_REACHABLE = r.status === 0 ? '1' : '0';
  return r.status === 0;
}

/**
 * Declares a suite once per storage backend, each against its own server process. The
 * PostgreSQL half is skipped, with a visible message, when PostgreSQL cannot be reached.
 */
export function describeEachBackend(
  name: string,
  suite: (get: () => TestServer) => void,
  settings: NodeJS.ProcessEnv = {}
): void {
  for (const backend of ['sqlite', 'postgres'] as Backend[]) {
    const available = backend === 'sqlite' || postgresReachableSync();
    if (!available) {
      console.warn(
        `SKIPPED: PostgreSQL at ${PG_URL} is not reachable; the [postgres] half of "${name}" does not run`
      );
    }
    (available ? describe : describe.skip)(`${name} [${backend}]`, () => {
      let server: TestServer | null = null;
      beforeAll(async () => {
        server = await startServer(backend, settings);
      });
      afterAll(async () => {
        await server?.stop();
      });
      suite(() => server!);
    });
  }
}
