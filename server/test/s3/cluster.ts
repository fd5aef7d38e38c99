import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import pg from 'pg';
import { spawnRegistry } from '../support/registry';
import type { TestServer } from '../helpers/server';
import { PG_URL } from '../helpers/server';
import type { Moto } from '../helpers/moto';
import { api } from '../helpers/api';

export const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

/** One registry: N processes over one database (SQLite file or PostgreSQL schema) and one bucket. */
export interface S3Cluster {
  servers: TestServer[];
  bucket: string;
  env: NodeJS.ProcessEnv;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startCluster(
  moto: Moto,
  opts: {
    processes?: number;
    backend?: 'sqlite' | 'postgres';
    env?: NodeJS.ProcessEnv;
  } = {}
): Promise<S3Cluster> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-s3-'));
  const bucket = await moto.bucket();
  const adminToken = 'mr_s3_' + crypto.randomBytes(16).toString('hex');
  const schema = `mr_s3_${crypto.randomBytes(6).toString('hex')}`;
  const postgres = opts.backend === 'postgres';
  const env: NodeJS.ProcessEnv = {
    ...moto.env(bucket),
    MODELREG_ADMIN_TOKEN: adminToken,
    MODELREG_DATABASE_URL: postgres ? PG_URL : '',
    MODELREG_DATABASE_SCHEMA: postgres ? schema : '',
    ...opts.env
  };
  const servers: TestServer[] = [];
  const stopAll = async () => {
    await Promise.all(servers.map(s => s.stop()));
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (postgres) {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  };
  try {
    const start = async () => {
      const r = await spawnRegistry({
        dataDir,
        env,
        cli: CLI,
        startTimeoutMs: 90_000
      });
      servers.push({
        url: r.url,
        dataDir,
        adminToken,
        backend: postgres ? 'postgres' : 'sqlite',
        proc: r.proc,
        stop: r.stop
      });
    };
    // The first one migrates alone; the others then start side by side.
    await start();
    const others = await Promise.allSettled(
      Array.from({ length: (opts.processes ?? 1) - 1 }, start)
    );
    for (const o of others) {
      if (o.status === 'rejected') {
        throw o.reason;
      }
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  return { servers, bucket, env, dataDir, stop: stopAll };
}

/** Runs a maintenance subcommand (`gc`, `verify`, ...) against the cluster's database and bucket. */
export function runOps(
  cluster: { env: NodeJS.ProcessEnv; dataDir: string },
  args: string[],
  env: NodeJS.ProcessEnv = {}
): Promise<{ code: number; out: string }> {
  return new Promise(resolve => {
    const child = spawn(
      process.execPath,
      [CLI, ...args, '--data-dir', cluster.dataDir],
      {
        env: { ...process.env, ...cluster.env, ...env }
      }
    );
    let out = '';
    child.stdout.on('data', c => (out += c));
    child.stderr.on('data', c => (out += c));
    child.on('close', code => resolve({ code: code ?? -1, out }));
  });
}

/** The keys of a bucket under a prefix ("" for all). */
export async function bucketKeys(
  moto: Moto,
  bucket: string,
  prefix = ''
): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const r = await moto.client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ContinuationToken: token
      })
    );
    for (const o of r.Contents ?? []) {
      keys.push(o.Key!);
    }
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** A counter's value from GET /metrics. */
export async function metric(
  server: TestServer,
  name: string,
  labels: string
): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find(l => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** Presigned upload the way a client does it: plan, PUT each part to the bucket, complete. */
export async function presignedUpload(
  server: TestServer,
  base: string,
  iid: number,
  path: string,
  bytes: Buffer,
  declared = sha256(bytes)
): Promise<{ status: number; body: any }> {
  const plan = await api(server, 'POST', `${base}/candidates/${iid}/uploads`, {
    json: { path, sha256: declared, size: bytes.length }
  });
  if (plan.status !== 200 || plan.body.mode !== 'presigned') {
    return plan;
  }
  let offset = 0;
  for (const part of plan.body.parts as { url: string; size: number }[]) {
    const r = await fetch(part.url, {
      method: 'PUT',
      body: bytes.subarray(offset, offset + part.size)
    });
    if (r.status !== 200) {
      throw new Error(`part PUT answered ${r.status}: ${await r.text()}`);
    }
    offset += part.size;
  }
  return api(
    server,
    'POST',
    `${base}/candidates/${iid}/uploads/${plan.body.upload_id}/complete`
  );
}

export const sha256 = (b: Buffer) =>
  crypto.createHash('sha256').update(b).digest('hex');
