import crypto from 'node:crypto';
import fs from 'node:fs';
import { api, download, setupModel } from '../helpers/api';
import {
  blobFile,
  dropStorage,
  launch,
  newStorage,
  runCli,
  sha256,
  type RunningServer,
  type Storage
} from './process';

/** Corrupt bytes on disk are never handed out as good, and verify finds and quarantines them. */
describe('integrity on disk [sqlite]', () => {
  let storage: Storage;
  let server: RunningServer;
  beforeAll(async () => {
    storage = newStorage('sqlite');
    server = await launch(storage);
  });
  afterAll(async () => {
    await server.stop();
    await dropStorage(storage);
  });

  async function upload(
    base: string,
    iid: number,
    path: string,
    bytes: Buffer
  ) {
    const r = await api(
      server,
      'PUT',
      `${base}/candidates/${iid}/artifacts/${path}`,
      { body: bytes }
    );
    expect(r.status).toBe(201);
    return r.body.sha256 as string;
  }

  /** Markers are written just after the response: poll for a few seconds on a loaded machine. */
  async function eventually(ok: () => boolean): Promise<boolean> {
    for (let i = 0; i < 100 && !ok(); i++) {
      await new Promise(r => setTimeout(r, 50));
    }
    return ok();
  }

  async function flipByte(sha: string, at: number) {
    const f = blobFile(storage.dataDir, sha);
    const b = fs.readFileSync(f);
    b[at] ^= 0xff;
    fs.writeFileSync(f, b);
  }

  it('aborts a download whose bytes do not hash to the digest, logs it, and then refuses Range reads', async () => {
    const { base } = await setupModel(server);
    expect(
      (await api(server, 'POST', `${base}/candidates`, { json: {} })).status
    ).toBe(201);
    const bytes = crypto.randomBytes(700_000);
    const sha = await upload(base, 1, 'weights.bin', bytes);
    const good = await download(
      server,
      `${base}/candidates/1/artifacts/weights.bin`
    );
    expect(sha256(good.bytes)).toBe(sha);

    await flipByte(sha, 600_000);
    // Found before the first byte went out: a 500 BLOB_CORRUPT answer. Found later, when the server has
    // already promised Content-Length bytes: the transfer is cut short. Never a complete, wrong body.
    const res = await fetch(
      `${server.url}/api/v1${base}/candidates/1/artifacts/weights.bin`,
      { headers: { authorization: `Bearer ${server.adminToken}` } }
    );
    if (res.status === 200) {
      await expect(res.arrayBuffer()).rejects.toThrow();
    } else {
      expect([res.status, ((await res.json()) as any).error.code]).toEqual([
        500,
        'BLOB_CORRUPT'
      ]);
    }
    await new Promise(r => setTimeout(r, 200));
    expect(fs.readFileSync(server.logFile, 'utf8')).toMatch(
      new RegExp(`blob ${sha} is corrupt on disk`)
    );

    const ranged = await api(
      server,
      'GET',
      `${base}/candidates/1/artifacts/weights.bin`,
      { headers: { range: 'bytes=0-99' } }
    );
    expect(ranged.status).toBe(500);
    expect(ranged.body.error.code).toBe('BLOB_CORRUPT');
    const whole = await api(
      server,
      'GET',
      `${base}/candidates/1/artifacts/weights.bin`
    );
    expect(whole.body.error.code).toBe('BLOB_CORRUPT');

    // Uploading the good bytes again heals it.
    await upload(base, 1, 'weights.bin', bytes);
    const healed = await download(
      server,
      `${base}/candidates/1/artifacts/weights.bin`
    );
    expect(healed.status).toBe(200);
    expect(sha256(healed.bytes)).toBe(sha);
  });

  it('skips re-hashing only while the verified marker matches the file; any change re-verifies', async () => {
    const { base } = await setupModel(server);
    await api(server, 'POST', `${base}/candidates`, { json: {} });
    const bytes = crypto.randomBytes(3_000_000);
    const sha = await upload(base, 1, 'm.bin', bytes);
    const mark = `${storage.dataDir}/blobs/verified/${sha}`;
    // The upload hashed every byte it wrote: the marker names this very file.
    const st = fs.statSync(blobFile(storage.dataDir, sha), { bigint: true });
    expect(fs.readFileSync(mark, 'utf8').trim()).toBe(
      [st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].join(' ')
    );
    const url = `${base}/candidates/1/artifacts/m.bin`;
    expect(sha256((await download(server, url)).bytes)).toBe(sha);

    // A marker deleted: the next whole download re-hashes and writes it again.
    fs.rmSync(mark);
    expect(sha256((await download(server, url)).bytes)).toBe(sha);
    expect(await eventually(() => fs.existsSync(mark))).toBe(true);

    // Same size, mtime put back: ctime still moved, so the marker no longer matches and the bad bytes are caught.
    const before = fs.statSync(blobFile(storage.dataDir, sha));
    await flipByte(sha, 2_500_000);
    fs.utimesSync(blobFile(storage.dataDir, sha), before.atime, before.mtime);
    const res = await fetch(`${server.url}/api/v1${url}`, {
      headers: { authorization: `Bearer ${server.adminToken}` }
    });
    if (res.status === 200) {
      await expect(res.arrayBuffer()).rejects.toThrow();
    } else {
      expect(res.status).toBe(500);
    }
    expect(await eventually(() => !fs.existsSync(mark))).toBe(true);
    const again = await api(server, 'GET', url);
    expect(again.body.error.code).toBe('BLOB_CORRUPT');
    await upload(base, 1, 'm.bin', bytes);
    expect(sha256((await download(server, url)).bytes)).toBe(sha);
  });

  it('refuses a blob whose size changed before sending anything', async () => {
    const { base } = await setupModel(server);
    await api(server, 'POST', `${base}/candidates`, { json: {} });
    const sha = await upload(
      base,
      1,
      'a.txt',
      Buffer.from('hello world, this is an artifact')
    );
    fs.truncateSync(blobFile(storage.dataDir, sha), 5);
    const r = await api(server, 'GET', `${base}/candidates/1/artifacts/a.txt`);
    expect(r.status).toBe(500);
    expect(r.body.error.code).toBe('BLOB_CORRUPT');
    await upload(
      base,
      1,
      'a.txt',
      Buffer.from('hello world, this is an artifact')
    );
  });

  it('verify reports corrupt and missing blobs, marks them, and exits non-zero; clean stores exit 0', async () => {
    const { base, group, model } = await setupModel(server);
    await api(server, 'POST', `${base}/candidates`, { json: {} });
    const clean = runCli(storage, ['verify', '--data-dir', storage.dataDir]);
    expect(clean.out).toMatch(/"corrupt":0,"missing":0/);
    expect(clean.code).toBe(0);

    const shaA = await upload(base, 1, 'a.bin', crypto.randomBytes(5000));
    const shaB = await upload(base, 1, 'b.bin', crypto.randomBytes(5000));
    await flipByte(shaA, 10);
    fs.unlinkSync(blobFile(storage.dataDir, shaB));
    const bad = runCli(storage, ['verify', '--data-dir', storage.dataDir]);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain(`CORRUPT   ${shaA}`);
    expect(bad.out).toContain(`MISSING   ${shaB}`);
    expect(bad.out).toContain(`used by ${group}/${model} candidate 1 a.bin`);
    expect(bad.out).toMatch(/"corrupt":1,"missing":1/);
    expect(fs.existsSync(`${storage.dataDir}/blobs/quarantine/${shaA}`)).toBe(
      true
    );
    // Marked by verify: refused even for a Range read, which cannot be hash-checked.
    const ranged = await api(
      server,
      'GET',
      `${base}/candidates/1/artifacts/a.bin`,
      { headers: { range: 'bytes=0-1' } }
    );
    expect(ranged.body.error.code).toBe('BLOB_CORRUPT');

    // Repair: remove the artifacts (their blobs become garbage) and verify passes again.
    await api(server, 'DELETE', `${base}/candidates/1/artifacts/a.bin`);
    await api(server, 'DELETE', `${base}/candidates/1/artifacts/b.bin`);
    fs.rmSync(blobFile(storage.dataDir, shaA));
    expect(
      runCli(storage, ['verify', '--data-dir', storage.dataDir]).code
    ).toBe(0);
  });
});
