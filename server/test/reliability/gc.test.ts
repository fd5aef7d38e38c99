import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {
  api,
  download,
  expectStoredAndReadBack,
  setupModel
} from '../helpers/api';
import {
  blobFile,
  eachBackend,
  runCli,
  runCliAsync,
  serverPerSuite,
  sha256,
  type RunningServer
} from './process';

const HOUR_AGO = new Date(Date.now() - 2 * 3600_000);

/** Starts an upload and keeps it open: the first half is sent, the rest waits for finish(). */
function slowUpload(server: RunningServer, urlPath: string, bytes: Buffer) {
  const u = new URL(server.url);
  let resolve!: (v: { status: number; body: string }) => void;
  const done = new Promise<{ status: number; body: string }>(
    r => (resolve = r)
  );
  const req = http.request(
    {
      host: u.hostname,
      port: u.port,
      method: 'PUT',
      path: `/api/v1${urlPath}`,
      headers: {
        authorization: `Bearer ${server.adminToken}`,
        'content-length': bytes.length
      }
    },
    res => {
      let body = '';
      res.on('data', c => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    }
  );
  req.write(bytes.subarray(0, bytes.length / 2));
  return { done, finish: () => req.end(bytes.subarray(bytes.length / 2)) };
}

eachBackend('gc', backend => {
  const ctx = serverPerSuite(backend);

  it('removes old unreferenced blobs and keeps referenced, young and in-flight ones', async () => {
    const { server, storage } = ctx;
    const { base } = await setupModel(server);
    await api(server, 'POST', `${base}/candidates`, { json: {} });
    const put = async (p: string, b: Buffer) =>
      (
        await api(server, 'PUT', `${base}/candidates/1/artifacts/${p}`, {
          body: b
        })
      ).body.sha256 as string;

    const kept = crypto.randomBytes(3000);
    const keptSha = await put('kept.bin', kept);
    const oldSha = await put('old.bin', crypto.randomBytes(3000));
    const youngSha = await put('young.bin', crypto.randomBytes(3000));
    expect(
      (await api(server, 'DELETE', `${base}/candidates/1/artifacts/old.bin`))
        .status
    ).toBe(204);
    expect(
      (await api(server, 'DELETE', `${base}/candidates/1/artifacts/young.bin`))
        .status
    ).toBe(204);
    // "old" was detached long ago; "young" just now (an uploader may be about to attach it elsewhere).
    fs.utimesSync(blobFile(storage.dataDir, oldSha), HOUR_AGO, HOUR_AGO);
    fs.utimesSync(blobFile(storage.dataDir, keptSha), HOUR_AGO, HOUR_AGO);

    const inflightBytes = crypto.randomBytes(2_000_000);
    const inflight = slowUpload(
      server,
      `${base}/candidates/1/artifacts/inflight.bin`,
      inflightBytes
    );
    const tmpDir = path.join(storage.dataDir, 'blobs', 'tmp');
    for (let i = 0; i < 100 && fs.readdirSync(tmpDir).length === 0; i++) {
      await new Promise(r => setTimeout(r, 20));
    }
    expect(fs.readdirSync(tmpDir).length).toBe(1);

    const r = runCli(storage, [
      'gc',
      '--data-dir',
      storage.dataDir,
      '--grace-seconds',
      '600'
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`removed ${oldSha}`);
    expect(r.out).toMatch(/"removed":1,/);
    expect(fs.existsSync(blobFile(storage.dataDir, oldSha))).toBe(false);
    expect(fs.existsSync(blobFile(storage.dataDir, youngSha))).toBe(true);
    expect(fs.existsSync(blobFile(storage.dataDir, keptSha))).toBe(true);

    inflight.finish();
    const done = await inflight.done;
    expect(done.status).toBe(201);
    const got = await download(
      server,
      `${base}/candidates/1/artifacts/inflight.bin`
    );
    expect(sha256(got.bytes)).toBe(sha256(inflightBytes));
    expect(
      sha256(
        (await download(server, `${base}/candidates/1/artifacts/kept.bin`))
          .bytes
      )
    ).toBe(keptSha);
    // The removed blob's row went too: a checksum deploy of it is refused, so nobody points at missing bytes.
    const deploy = await api(
      server,
      'PUT',
      `${base}/candidates/1/artifacts/again.bin`,
      { headers: { 'x-checksum-deploy': 'true', 'x-checksum-sha256': oldSha } }
    );
    expect(deploy.status).toBe(404);
    expect(
      runCli(storage, ['verify', '--data-dir', storage.dataDir]).code
    ).toBe(0);
  });

  it('gc racing uploads of the very bytes it is collecting never leaves an artifact without its blob', async () => {
    const { server, storage } = ctx;
    const { base } = await setupModel(server);
    await api(server, 'POST', `${base}/candidates`, { json: {} });
    const bytes = crypto.randomBytes(20_000);
    const sha = (
      await api(server, 'PUT', `${base}/candidates/1/artifacts/seed.bin`, {
        body: bytes
      })
    ).body.sha256 as string;
    await api(server, 'DELETE', `${base}/candidates/1/artifacts/seed.bin`);
    let uploads = 0;
    let racing = true;
    const uploader = (async () => {
      while (racing) {
        // Each round: the blob is old and unreferenced again, then the same bytes come back.
        fs.utimesSync(blobFile(storage.dataDir, sha), HOUR_AGO, HOUR_AGO);
        const path = `again-${uploads++}.bin`;
        expect(
          (
            await api(server, 'PUT', `${base}/candidates/1/artifacts/${path}`, {
              body: bytes
            })
          ).status
        ).toBe(201);
        expect(
          sha256(
            (await download(server, `${base}/candidates/1/artifacts/${path}`))
              .bytes
          )
        ).toBe(sha);
        expect(
          (
            await api(
              server,
              'DELETE',
              `${base}/candidates/1/artifacts/${path}`
            )
          ).status
        ).toBe(204);
      }
    })();
    const gcRuns = [];
    // Asynchronous, so the uploads really run while gc does.
    for (let i = 0; i < 4; i++) {
      const r = await runCliAsync(storage, [
        'gc',
        '--data-dir',
        storage.dataDir,
        '--grace-seconds',
        '600'
      ]);
      gcRuns.push(r.code === 0 ? 0 : r.out);
    }
    racing = false;
    await uploader;
    expect(gcRuns).toEqual([0, 0, 0, 0]);
    expect(uploads).toBeGreaterThan(3);
    await expectStoredAndReadBack(
      server,
      server,
      `${base}/candidates/1/artifacts/final.bin`,
      bytes
    );
    expect(
      runCli(storage, ['verify', '--data-dir', storage.dataDir]).code
    ).toBe(0);
  });

  it('an old unreferenced blob cannot be deployed by digest; its re-upload refreshes it, so gc keeps it; stale partial uploads go', async () => {
    const { server, storage } = ctx;
    const { base } = await setupModel(server);
    await api(server, 'POST', `${base}/candidates`, { json: {} });
    const bytes = crypto.randomBytes(4000);
    const sha = (
      await api(server, 'PUT', `${base}/candidates/1/artifacts/x.bin`, {
        body: bytes
      })
    ).body.sha256 as string;
    await api(server, 'DELETE', `${base}/candidates/1/artifacts/x.bin`);
    fs.utimesSync(blobFile(storage.dataDir, sha), HOUR_AGO, HOUR_AGO);
    // A digest no readable artifact references is no key to its bytes (security): the deploy is
    // refused as if the blob were absent, and the upload of the same bytes refreshes the blob.
    const deploy = await api(
      server,
      'PUT',
      `${base}/candidates/1/artifacts/y.bin`,
      { headers: { 'x-checksum-deploy': 'true', 'x-checksum-sha256': sha } }
    );
    expect(deploy.status).toBe(404);
    const upload = await api(
      server,
      'PUT',
      `${base}/candidates/1/artifacts/y.bin`,
      { body: bytes }
    );
    expect(upload.status).toBe(201);
    expect(
      Date.now() - fs.statSync(blobFile(storage.dataDir, sha)).mtimeMs
    ).toBeLessThan(60_000);
    await api(server, 'DELETE', `${base}/candidates/1/artifacts/y.bin`);

    const stale = path.join(
      storage.dataDir,
      'blobs',
      'tmp',
      'crashed-upload.part'
    );
    fs.writeFileSync(stale, 'half an upload');
    fs.utimesSync(stale, HOUR_AGO, HOUR_AGO);
    const r = runCli(storage, [
      'gc',
      '--data-dir',
      storage.dataDir,
      '--grace-seconds',
      '600'
    ]);
    expect(r.out).toMatch(/"stale_uploads":1/);
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(blobFile(storage.dataDir, sha))).toBe(true);
  });
});
