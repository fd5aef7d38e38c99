import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestServer } from '../helpers/server';
import { CLI, spawnRegistry } from '../support/registry';

/**
 * A registry process with the knobs reliability tests need: extra serve flags, a data dir that
 * outlives the process (restart, backup, restore), the log kept in a file, and the maintenance
 * subcommands run against the same storage.
 */
export const PG_URL =
  process.env.MODELREG_TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';

export interface Storage {
  dataDir: string;
  /** PostgreSQL schema, or null for SQLite in dataDir. */
  schema: string | null;
}

export interface RunningServer extends TestServer {
  logFile: string;
  pid: number;
  storage: Storage;
}

export function newStorage(
  backend: 'sqlite' | 'postgres',
  dataDir?: string
): Storage {
  return {
    dataDir: dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-rel-')),
    schema:
      backend === 'postgres'
        ? `mr_rel_${crypto.randomBytes(6).toString('hex')}`
        : null
  };
}

export function storageEnv(
  storage: Storage,
  extra: NodeJS.ProcessEnv = {}
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    MODELREG_DATABASE_URL: storage.schema ? PG_URL : '',
    MODELREG_DATABASE_SCHEMA: storage.schema ?? '',
    ...extra
  };
}

export async function launch(
  storage: Storage,
  opts: {
    args?: string[];
    token?: string;
    logLevel?: string;
    env?: NodeJS.ProcessEnv;
  } = {}
): Promise<RunningServer> {
  const adminToken =
    opts.token ?? 'mr_rel_' + crypto.randomBytes(16).toString('hex');
  // Outside the data dir: a test may fill that disk on purpose.
  const logFile = path.join(
    os.tmpdir(),
    `modelreg-rel-server-${Date.now()}-${crypto.randomBytes(3).toString('hex')}.log`
  );
  const { url, proc } = await spawnRegistry({
    dataDir: storage.dataDir,
    env: storageEnv(storage, {
      MODELREG_ADMIN_TOKEN: adminToken,
      ...opts.env
    }),
    args: opts.args,
    logLevel: opts.logLevel,
    logFile
  });
  return {
    url,
    dataDir: storage.dataDir,
    adminToken,
    backend: storage.schema ? 'postgres' : 'sqlite',
    proc,
    logFile,
    pid: proc.pid!,
    storage,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise(r => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      // Kept when asked, for digging into a failure.
      if (!process.env.MODELREG_KEEP_TEST_LOGS) {
        fs.rmSync(logFile, { force: true });
      }
    }
  };
}

/** Runs `node dist/cli.js <args>` against a storage; returns exit code and output. */
export function runCli(
  storage: Storage,
  args: string[]
): { code: number; out: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: storageEnv(storage),
    encoding: 'utf8',
    timeout: 120_000
  });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** Like runCli, without blocking this process: for maintenance commands racing live traffic. */
export function runCliAsync(
  storage: Storage,
  args: string[]
): Promise<{ code: number; out: string }> {
  return new Promise(resolve => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: storageEnv(storage)
    });
    let out = '';
    child.stdout.on('data', c => (out += c));
    child.stderr.on('data', c => (out += c));
    child.on('close', code => resolve({ code: code ?? -1, out }));
  });
}

export async function dropStorage(storage: Storage): Promise<void> {
  fs.rmSync(storage.dataDir, { recursive: true, force: true });
  if (!storage.schema) {
    return;
  }
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${storage.schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** pg_isready answers in milliseconds; without it (or PostgreSQL) the [postgres] halves are skipped visibly. */
export function postgresReachable(): boolean {
  const u = new URL(PG_URL);
  const r = spawnSync(
    'pg_isready',
    ['-h', u.hostname, '-p', u.port || '5432'],
    { timeout: 5000 }
  );
  return r.status === 0;
}

/** describe() once per backend; the PostgreSQL one is skipped with a message when unreachable. */
export function eachBackend(
  name: string,
  body: (backend: 'sqlite' | 'postgres') => void
): void {
  for (const backend of ['sqlite', 'postgres'] as const) {
    const ok = backend === 'sqlite' || postgresReachable();
    if (!ok) {
      console.warn(
        `SKIPPED: PostgreSQL at ${PG_URL} is not reachable; "${name} [postgres]" does not run`
      );
    }
    (ok ? describe : describe.skip)(`${name} [${backend}]`, () =>
      body(backend)
    );
  }
}

/** One server per describe block: started before its tests, stopped and its storage dropped after. */
export function serverPerSuite(
  backend: 'sqlite' | 'postgres',
  opts: { args?: string[]; logLevel?: string } = {}
) {
  const ctx = {} as { server: RunningServer; storage: Storage };
  beforeAll(async () => {
    ctx.storage = newStorage(backend);
    ctx.server = await launch(ctx.storage, opts);
  });
  afterAll(async () => {
    await ctx.server?.stop();
    if (ctx.storage) {
      await dropStorage(ctx.storage);
    }
  });
  return ctx;
}

export const sha256 = (b: Buffer) =>
  crypto.createHash('sha256').update(b).digest('hex');
export const blobFile = (dataDir: string, sha: string) =>
  path.join(dataDir, 'blobs', 'sha256', sha.slice(0, 2), sha);
