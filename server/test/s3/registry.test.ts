import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  UploadPartCommand
} from '@aws-sdk/client-s3';
import { api, download, resolveJson, setupModel } from '../helpers/api';
import { describeWithMoto, startMoto, type Moto } from '../helpers/moto';
import type { TestServer } from '../helpers/server';
import {
  bucketKeys,
  metric,
  presignedUpload,
  runOps,
  sha256,
  startCluster,
  type S3Cluster
} from './cluster';

const MIB = 1024 * 1024;
const PROXIED_IN = 'modelreg_artifact_bytes_proxied_total';

/** The multipart uploads the bucket has in progress, as S3 (moto) lists them. */
async function bucketUploads(moto: Moto, bucket: string): Promise<string[]> {
  const r = await moto.client.send(
    new ListMultipartUploadsCommand({ Bucket: bucket })
  );
  return (r.Uploads ?? []).map(u => u.Key!);
}

/**
 * POST .../complete whose (empty JSON) body is held back: the request is surely in flight at the
 * registry while `during` runs, and ends after it.
 */
function heldComplete(
  s: TestServer,
  path: string,
  during: () => void
): Promise<{ status: number; body: any }> {
  const u = new URL(s.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const send = (
    method: string,
    p: string,
    body?: (req: http.ClientRequest) => void
  ) =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = http.request(
        {
          host: u.hostname,
          port: u.port,
          method,
          path: `/api/v1${p}`,
          agent,
          headers: {
            authorization: `Bearer ${s.adminToken}`,
            ...(body
              ? { 'content-type': 'application/json', 'content-length': 2 }
              : {})
          }
        },
        resolveJson(resolve, reject)
      );
      req.on('error', reject);
      if (body) {
        body(req);
      } else {
        req.end();
      }
    });
  // One request first: the connection is accepted before the complete is sent on it.
  return send('GET', '/health').then(() =>
    send('POST', path, req =>
      req.write('{', () =>
        setTimeout(() => {
          during();
          setTimeout(() => req.end('}'), 500);
        }, 1000)
      )
    ).finally(() => agent.destroy())
  );
}

describeWithMoto('registry over an S3 bucket', () => {
  let moto: Moto;
  let cluster: S3Cluster;
  let server: TestServer;
  beforeAll(async () => {
    moto = await startMoto();
    // 5 MiB parts: a 12 MiB file is already a multipart upload.
    cluster = await startCluster(moto, {
      env: { MODELREG_UPLOAD_PART_SIZE: String(5 * MIB) }
    });
    server = cluster.servers[0];
  }, 180_000); // moto and a registry loading the AWS SDK: slow on a loaded machine
  afterAll(async () => {
    await cluster?.stop();
    await moto?.stop();
  });

  const candidate = async () => {
    const { base } = await setupModel(server);
    expect(
      (await api(server, 'POST', `${base}/candidates`, { json: {} })).status
    ).toBe(201);
    return base;
  };

  it('answers ready when the database and the bucket do', async () => {
    const r = await api(server, 'GET', '/ready');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      status: 'ready',
      database: 'sqlite',
      blobs: 's3'
    });
  });

  it('takes a multipart file straight into the bucket and redirects downloads there', async () => {
    const base = await candidate();
    const bytes = crypto.randomBytes(12 * MIB + 3);
    const proxiedBefore = await metric(server, PROXIED_IN, 'direction="in"');
    const plan = await api(server, 'POST', `${base}/candidates/1/uploads`, {
      json: {
        path: 'model/weights.bin',
        sha256: sha256(bytes),
        size: bytes.length
      }
    });
    expect(plan.status).toBe(200);
    expect(plan.body.mode).toBe('presigned');
    expect(plan.body.parts.map((p: { size: number }) => p.size)).toEqual([
      5 * MIB,
      5 * MIB,
      2 * MIB + 3
    ]);
    // Asking again resumes the same upload instead of starting another.
    const again = await api(server, 'POST', `${base}/candidates/1/uploads`, {
      json: {
        path: 'model/weights.bin',
        sha256: sha256(bytes),
        size: bytes.length
      }
    });
    expect(again.body.upload_id).toBe(plan.body.upload_id);

    const done = await presignedUpload(
      server,
      base,
      1,
      'model/weights.bin',
      bytes
    );
    expect(done.status).toBe(201);
    expect(done.body).toEqual({
      path: 'model/weights.bin',
      sha256: sha256(bytes),
      size: bytes.length
    });
    expect(await metric(server, PROXIED_IN, 'direction="in"')).toBe(
      proxiedBefore
    );
    expect(await bucketKeys(moto, cluster.bucket, 'registry/uploads/')).toEqual(
      []
    );

    const url = `${server.url}/api/v1${base}/candidates/1/artifacts/model/weights.bin`;
    const redirect = await fetch(url, {
      headers: { authorization: `Bearer ${server.adminToken}` },
      redirect: 'manual'
    });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get('x-checksum-sha256')).toBe(sha256(bytes));
    const location = redirect.headers.get('location')!;
    expect(location.startsWith(moto.endpoint)).toBe(true);
    const whole = await download(
      server,
      `${base}/candidates/1/artifacts/model/weights.bin`
    );
    expect(whole.status).toBe(200);
    expect(sha256(whole.bytes)).toBe(sha256(bytes));
    const part = await download(
      server,
      `${base}/candidates/1/artifacts/model/weights.bin`,
      { range: 'bytes=100-199' }
    );
    expect(part.status).toBe(206);
    expect(part.bytes.equals(bytes.subarray(100, 200))).toBe(true);
  });

  it('refuses parts that are not the declared file: 400 DIGEST_MISMATCH and nothing attached', async () => {
    const base = await candidate();
    const bytes = crypto.randomBytes(7 * MIB);
    const claimed = sha256(crypto.randomBytes(100));
    const r = await presignedUpload(server, base, 1, 'lie.bin', bytes, claimed);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('DIGEST_MISMATCH');
    expect(r.body.error.message).toContain(sha256(bytes));
    expect(
      (await api(server, 'GET', `${base}/candidates/1/artifacts`)).body.items
    ).toEqual([]);
    const keys = await bucketKeys(moto, cluster.bucket);
    expect(
      keys.filter(
        k =>
          k.includes(claimed) ||
          k.includes(sha256(bytes)) ||
          k.includes('/uploads/')
      )
    ).toEqual([]);
    // The same bytes declared honestly then go through.
    expect(
      (await presignedUpload(server, base, 1, 'lie.bin', bytes)).status
    ).toBe(201);
  });

  it('completes only once every part is in the bucket, and keeps the upload until then', async () => {
    const base = await candidate();
    const bytes = crypto.randomBytes(6 * MIB);
    const plan = await api(server, 'POST', `${base}/candidates/1/uploads`, {
      json: { path: 'late.bin', sha256: sha256(bytes), size: bytes.length }
    });
    const early = await api(
      server,
      'POST',
      `${base}/candidates/1/uploads/${plan.body.upload_id}/complete`
    );
    expect(early.status).toBe(400);
    expect(early.body.error.message).toContain('parts 1, 2');
    await fetch(plan.body.parts[0].url, {
      method: 'PUT',
      body: bytes.subarray(0, 5 * MIB)
    });
    const resumed = await api(server, 'POST', `${base}/candidates/1/uploads`, {
      json: { path: 'late.bin', sha256: sha256(bytes), size: bytes.length }
    });
    expect(
      resumed.body.parts.map((p: { uploaded: boolean }) => p.uploaded)
    ).toEqual([true, false]);
    await fetch(resumed.body.parts[1].url, {
      method: 'PUT',
      body: bytes.subarray(5 * MIB)
    });
    const done = await api(
      server,
      'POST',
      `${base}/candidates/1/uploads/${plan.body.upload_id}/complete`
    );
    expect(done.status).toBe(201);
    const twice = await api(
      server,
      'POST',
      `${base}/candidates/1/uploads/${plan.body.upload_id}/complete`
    );
    expect(twice.status).toBe(404);
  });

  it('still takes bytes through the registry (PUT), counts them, and attaches known blobs by checksum', async () => {
    const base = await candidate();
    const bytes = crypto.randomBytes(10 * MIB);
    const before = await metric(server, PROXIED_IN, 'direction="in"');
    const put = await api(
      server,
      'PUT',
      `${base}/candidates/1/artifacts/proxied.bin`,
      {
        body: bytes,
        headers: { 'x-checksum-sha256': sha256(bytes) }
      }
    );
    expect(put.status).toBe(201);
    expect(await metric(server, PROXIED_IN, 'direction="in"')).toBe(
      before + bytes.length
    );
    const deploy = await api(
      server,
      'PUT',
      `${base}/candidates/1/artifacts/again.bin`,
      {
        headers: {
          'x-checksum-deploy': 'true',
          'x-checksum-sha256': sha256(bytes)
        }
      }
    );
    expect(deploy.status).toBe(201);
    expect(
      sha256(
        (await download(server, `${base}/candidates/1/artifacts/again.bin`))
          .bytes
      )
    ).toBe(sha256(bytes));
    expect(
      (
        await bucketKeys(
          moto,
          cluster.bucket,
          `registry/sha256/${sha256(bytes).slice(0, 2)}/${sha256(bytes)}`
        )
      ).length
    ).toBe(1);
  });

  it('gc removes unreferenced blobs from the bucket, verify finds a corrupt object, backup and restore carry the bucket', async () => {
    const base = await candidate();
    const kept = crypto.randomBytes(3000);
    const doomed = crypto.randomBytes(4000);
    await api(server, 'PUT', `${base}/candidates/1/artifacts/kept.bin`, {
      body: kept
    });
    await api(server, 'PUT', `${base}/candidates/1/artifacts/doomed.bin`, {
      body: doomed
    });
    expect(
      (await api(server, 'DELETE', `${base}/candidates/1/artifacts/doomed.bin`))
        .status
    ).toBe(204);

    const young = await runOps(cluster, ['gc', '--grace-seconds', '3600']);
    expect(young.code).toBe(0);
    expect(young.out).not.toContain(`removed ${sha256(doomed)}`);
    await new Promise(r => setTimeout(r, 1100));
    const gc = await runOps(cluster, ['gc', '--grace-seconds', '1']);
    expect(gc.code).toBe(0);
    expect(gc.out).toContain(`removed ${sha256(doomed)}`);
    expect(gc.out).not.toContain(`removed ${sha256(kept)}`);
    expect(
      await bucketKeys(
        moto,
        cluster.bucket,
        `registry/sha256/${sha256(doomed).slice(0, 2)}/${sha256(doomed)}`
      )
    ).toEqual([]);
    expect(
      (
        await download(server, `${base}/candidates/1/artifacts/kept.bin`)
      ).bytes.equals(kept)
    ).toBe(true);

    expect((await runOps(cluster, ['verify'])).code).toBe(0);
    const backupDir = fs.mkdtempSync(
      path.join(os.tmpdir(), 'modelreg-s3-backup-')
    );
    const restoreDir = fs.mkdtempSync(
      path.join(os.tmpdir(), 'modelreg-s3-restore-')
    );
    try {
      const backup = await runOps(cluster, ['backup', backupDir]);
      expect(backup.code).toBe(0);
      const target = await moto.bucket();
      const restored = {
        env: { ...cluster.env, ...moto.env(target) },
        dataDir: restoreDir
      };
      const restore = await runOps(restored, ['restore', backupDir]);
      expect(restore.code).toBe(0);
      expect(
        await bucketKeys(
          moto,
          target,
          `registry/sha256/${sha256(kept).slice(0, 2)}/${sha256(kept)}`
        )
      ).toHaveLength(1);
      expect((await runOps(restored, ['verify'])).code).toBe(0);
      // Into a bucket that already holds blobs: refused.
      fs.rmSync(restoreDir, { recursive: true, force: true });
      expect((await runOps(restored, ['restore', backupDir])).out).toContain(
        'restore only into an empty bucket prefix'
      );
    } finally {
      fs.rmSync(backupDir, { recursive: true, force: true });
      fs.rmSync(restoreDir, { recursive: true, force: true });
    }

    await moto.client.send(
      new PutObjectCommand({
        Bucket: cluster.bucket,
        Key: `registry/sha256/${sha256(kept).slice(0, 2)}/${sha256(kept)}`,
        Body: Buffer.from('rotten')
      })
    );
    const bad = await runOps(cluster, ['verify']);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain(`CORRUPT   ${sha256(kept)}`);
    expect(bad.out).toMatch(/used by .* kept\.bin/);
  }, 180_000); // eight maintenance processes, each loading the AWS SDK

  it('finishes an upload that is under way when SIGTERM arrives, then exits', async () => {
    const second = await startCluster(moto, {
      env: { MODELREG_SHUTDOWN_GRACE_SECONDS: '30' }
    });
    try {
      const s = second.servers[0];
      const { base } = await setupModel(s);
      await api(s, 'POST', `${base}/candidates`, { json: {} });
      const bytes = crypto.randomBytes(20 * MIB);
      const u = new URL(s.url);
      let exitCode: number | null = null;
      const answer = new Promise<{ status: number; body: string }>(
        (resolve, reject) => {
          const req = http.request(
            {
              host: u.hostname,
              port: u.port,
              method: 'PUT',
              path: `/api/v1${base}/candidates/1/artifacts/drain.bin`,
              headers: {
                authorization: `Bearer ${s.adminToken}`,
                'content-length': bytes.length
              }
            },
            res => {
              let body = '';
              res.on('data', c => (body += c));
              res.on('end', () => resolve({ status: res.statusCode!, body }));
            }
          );
          req.on('error', reject);
          req.write(bytes.subarray(0, 8 * MIB), () => {
            const exited = new Promise<number | null>(r =>
              s.proc.once('exit', code => r(code))
            );
            s.proc.kill('SIGTERM');
            setTimeout(() => req.end(bytes.subarray(8 * MIB)), 500);
            void exited.then(code => (exitCode = code));
          });
        }
      );
      const r = await answer;
      expect(r.status).toBe(201);
      expect(JSON.parse(r.body).sha256).toBe(sha256(bytes));
      for (let i = 0; i < 600 && exitCode === null; i++) {
        await new Promise(res => setTimeout(res, 50));
      }
      expect(exitCode).toBe(0);
      expect(
        await bucketKeys(
          moto,
          second.bucket,
          `registry/sha256/${sha256(bytes).slice(0, 2)}/${sha256(bytes)}`
        )
      ).toHaveLength(1);
    } finally {
      await second.stop();
    }
  }, 120_000);

  it('gc aborts multipart uploads abandoned in the bucket, known to the registry or not, once past the grace period', async () => {
    const base = await candidate();
    const bytes = crypto.randomBytes(12 * MIB);
    const plan = await api(server, 'POST', `${base}/candidates/1/uploads`, {
      json: { path: 'abandoned.bin', sha256: sha256(bytes), size: bytes.length }
    });
    expect(plan.body.mode).toBe('presigned');
    expect(
      (
        await fetch(plan.body.parts[0].url, {
          method: 'PUT',
          body: bytes.subarray(0, 5 * MIB)
        })
      ).status
    ).toBe(200);
    // What a proxied upload leaves when its process is killed: a staged multipart upload no row knows.
    const orphanKey = `registry/uploads/${Date.now()}-0123456789abcdef`;
    const orphan = await moto.client.send(
      new CreateMultipartUploadCommand({
        Bucket: cluster.bucket,
        Key: orphanKey
      })
    );
    await moto.client.send(
      new UploadPartCommand({
        Bucket: cluster.bucket,
        Key: orphanKey,
        UploadId: orphan.UploadId,
        PartNumber: 1,
        Body: crypto.randomBytes(5 * MIB)
      })
    );
    const pending = await bucketUploads(moto, cluster.bucket);
    expect(pending).toEqual(expect.arrayContaining([orphanKey]));
    expect(pending.length).toBeGreaterThanOrEqual(2);

    // Young uploads may still be under way: kept.
    expect(
      (await runOps(cluster, ['gc', '--grace-seconds', '3600'])).code
    ).toBe(0);
    expect(await bucketUploads(moto, cluster.bucket)).toEqual(pending);
    await new Promise(r => setTimeout(r, 1100));
    const gc = await runOps(cluster, ['gc', '--grace-seconds', '1']);
    expect(gc.code).toBe(0);
    expect(await bucketUploads(moto, cluster.bucket)).toEqual([]);
    expect(await bucketKeys(moto, cluster.bucket, 'registry/uploads/')).toEqual(
      []
    );
    // The registry forgot the abandoned upload too: asking again starts a new one.
    const again = await api(server, 'POST', `${base}/candidates/1/uploads`, {
      json: { path: 'abandoned.bin', sha256: sha256(bytes), size: bytes.length }
    });
    expect(again.body.upload_id).not.toBe(plan.body.upload_id);
    expect(
      (await presignedUpload(server, base, 1, 'abandoned.bin', bytes)).status
    ).toBe(201);
  }, 120_000);

  it('finishes presigned uploads under way when SIGTERM arrives: the complete in flight, and parts sent while it drains', async () => {
    const pair = await startCluster(moto, {
      processes: 2,
      env: {
        MODELREG_SHUTDOWN_GRACE_SECONDS: '60',
        MODELREG_UPLOAD_PART_SIZE: String(5 * MIB)
      }
    });
    try {
      const [a, b] = pair.servers;
      const { base } = await setupModel(a);
      await api(a, 'POST', `${base}/candidates`, { json: {} });
      const first = crypto.randomBytes(24 * MIB + 5);
      const second = crypto.randomBytes(11 * MIB);
      const plan = async (name: string, bytes: Buffer) =>
        (
          await api(a, 'POST', `${base}/candidates/1/uploads`, {
            json: { path: name, sha256: sha256(bytes), size: bytes.length }
          })
        ).body;
      const putParts = async (
        p: { parts: { url: string; size: number }[] },
        bytes: Buffer
      ) => {
        let offset = 0;
        for (const part of p.parts) {
          const r = await fetch(part.url, {
            method: 'PUT',
            body: bytes.subarray(offset, offset + part.size)
          });
          expect(r.status).toBe(200);
          offset += part.size;
        }
      };
      const p1 = await plan('first.bin', first);
      const p2 = await plan('second.bin', second);
      await putParts(p1, first);
      const exited = new Promise<number | null>(r =>
        a.proc.once('exit', code => r(code))
      );
      let secondParts: Promise<void> | null = null;
      const done = await heldComplete(
        a,
        `${base}/candidates/1/uploads/${p1.upload_id}/complete`,
        () => {
          a.proc.kill('SIGTERM');
          // The other file's parts go to the bucket while the process that planned it drains.
          secondParts = putParts(p2, second);
        }
      );
      expect(done.status).toBe(201);
      expect(done.body.sha256).toBe(sha256(first));
      expect(await exited).toBe(0);
      await secondParts;
      // Another process of the same registry completes what the stopped one planned.
      const finished = await api(
        b,
        'POST',
        `${base}/candidates/1/uploads/${p2.upload_id}/complete`
      );
      expect(finished.status).toBe(201);
      expect(finished.body.sha256).toBe(sha256(second));
      for (const [name, bytes] of [
        ['first.bin', first],
        ['second.bin', second]
      ] as const) {
        const got = await download(b, `${base}/candidates/1/artifacts/${name}`);
        expect(got.status).toBe(200);
        expect(sha256(got.bytes)).toBe(sha256(bytes));
      }
      expect(await bucketUploads(moto, pair.bucket)).toEqual([]);
    } finally {
      await pair.stop();
    }
  }, 180_000);

  it('answers 503 NOT_READY when the bucket is not there, and routes bytes through itself when told to', async () => {
    const other = await startCluster(moto, {
      env: {
        MODELREG_DIRECT_UPLOADS: 'false',
        MODELREG_DIRECT_DOWNLOADS: 'false'
      }
    });
    try {
      const s = other.servers[0];
      const { base } = await setupModel(s);
      await api(s, 'POST', `${base}/candidates`, { json: {} });
      const plan = await api(s, 'POST', `${base}/candidates/1/uploads`, {
        json: { path: 'a.bin', sha256: sha256(Buffer.from('a')), size: 1 }
      });
      expect(plan.body.mode).toBe('proxy');
      await api(s, 'PUT', `${base}/candidates/1/artifacts/a.bin`, {
        body: Buffer.from('a')
      });
      const got = await download(s, `${base}/candidates/1/artifacts/a.bin`);
      expect(got.status).toBe(200);
      expect(got.bytes.toString()).toBe('a');
      expect(await metric(s, PROXIED_IN, 'direction="out"')).toBe(1);
    } finally {
      await other.stop();
    }
    const missing = await startCluster(moto, {
      env: { MODELREG_BLOB_URL: 's3://no-such-bucket-here/x' }
    });
    try {
      const r = await api(missing.servers[0], 'GET', '/ready');
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('NOT_READY');
      expect(r.body.error.message).toContain('blob store (s3)');
    } finally {
      await missing.stop();
    }
  });
});
