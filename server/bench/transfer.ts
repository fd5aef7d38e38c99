import { execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { memoryOf, sampleRss, startRegistry } from './server-process';

export interface TransferResult {
  bytes: number;
  cp_s: number;
  upload_s: number;
  download_s: number;
  cp_MiBps: number;
  upload_MiBps: number;
  download_MiBps: number;
  upload_ratio_vs_cp: number;
  download_ratio_vs_cp: number;
  rss_peak_upload_MiB: number;
  rss_peak_download_MiB: number;
  rss_hwm_MiB: number;
  /** The ceiling every upload and (verified) download shares: sha256 of the file on one core, in this process. */
  sha256_MiBps: number;
  client: string;
}

async function sha256Speed(file: string): Promise<number> {
  const t = process.hrtime.bigint();
  const h = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, {
    highWaterMark: 1 << 20
  })) {
    h.update(chunk as Buffer);
  }
  h.digest();
  return (
    fs.statSync(file).size /
    2 ** 20 /
    (Number(process.hrtime.bigint() - t) / 1e9)
  );
}

function makeFile(file: string, bytes: number): void {
  const fd = fs.openSync(file, 'w');
  const chunk = 8 * 1024 * 1024;
  // Random so nothing along the way can compress or dedup it.
  for (let done = 0; done < bytes; done += chunk) {
    fs.writeSync(fd, crypto.randomBytes(Math.min(chunk, bytes - done)));
  }
  // Written back before any timing: otherwise cp (or the upload) pays for this file's dirty pages.
  fs.fsyncSync(fd);
  fs.closeSync(fd);
}

function hasCurl(): boolean {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * curl is the client when present: a C client leaves the two shared CPUs to the server, where a
 * Node client in this process would compete with it for them. Resolves with the HTTP status.
 */
function curl(
  args: string[],
  token: string,
  out = '/dev/null'
): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      'curl',
      [
        '-sS',
        '-o',
        out,
        '-w',
        '%{http_code}',
        '-H',
        `Authorization: Bearer ${token}`,
        ...args
      ],
      (err, stdout) => {
        if (err) {
          reject(err);
        } else {
          resolve(Number(stdout.trim()));
        }
      }
    );
  });
}

async function nodeUpload(
  url: string,
  token: string,
  file: string,
  bytes: number
): Promise<number> {
  const res = await request(
    url,
    'PUT',
    token,
    { 'content-type': 'application/octet-stream', 'content-length': bytes },
    fs.createReadStream(file, { highWaterMark: 1 << 20 })
  );
  await json(res);
  return res.statusCode ?? 0;
}

async function nodeDownload(
  url: string,
  token: string,
  file: string
): Promise<number> {
  const res = await request(url, 'GET', token, {});
  await pipeline(res, fs.createWriteStream(file));
  return res.statusCode ?? 0;
}

function request(
  url: string,
  method: string,
  token: string,
  headers: Record<string, string | number>,
  body?: fs.ReadStream
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method, headers: { authorization: `Bearer ${token}`, ...headers } },
      resolve
    );
    req.on('error', reject);
    if (body) {
      body.pipe(req);
    } else {
      req.end();
    }
  });
}

async function json(res: http.IncomingMessage): Promise<any> {
  let s = '';
  for await (const c of res) {
    s += c;
  }
  return JSON.parse(s);
}

/** 1 GiB up and down through the registry, against `cp` of the same file on the same disk. */
export async function benchTransfer(
  workDir: string,
  bytes: number,
  log: (s: string) => void
): Promise<TransferResult> {
  const dataDir = path.join(workDir, 'transfer-data');
  const src = path.join(workDir, 'transfer.bin');
  const cpDst = path.join(workDir, 'transfer-cp.bin');
  const dlDst = path.join(workDir, 'transfer-download.bin');
  log(`writing a ${(bytes / 2 ** 20).toFixed(0)} MiB random file`);
  makeFile(src, bytes);
  // Both sides start from a warm page cache of the source file.
  execFileSync('cat', [src], { stdio: ['ignore', 'ignore', 'inherit'] });

  // cp: the median of three runs (shared disks and CPUs make single runs noisy).
  const cpRuns: number[] = [];
  let t = process.hrtime.bigint();
  for (let i = 0; i < 3; i++) {
    t = process.hrtime.bigint();
    execFileSync('cp', [src, cpDst]);
    cpRuns.push(Number(process.hrtime.bigint() - t) / 1e9);
    fs.rmSync(cpDst);
  }
  const cpS = cpRuns.sort((a, b) => a - b)[1];
  log(`cp runs: ${cpRuns.map(x => x.toFixed(2)).join(', ')} s`);
  const sha256MiBps = await sha256Speed(src);

  const token = 'mr_bench_' + crypto.randomBytes(12).toString('hex');
  const reg = await startRegistry(dataDir, token);
  try {
    const api = `${reg.url}/api/v1`;
    const h = { 'content-type': 'application/json' };
    const post = (p: string, body: unknown) =>
      new Promise<any>((resolve, reject) => {
        const req = http.request(
          `${api}${p}`,
          {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, ...h }
          },
          res => json(res).then(resolve, reject)
        );
        req.on('error', reject);
        req.end(JSON.stringify(body));
      });
    await post('/groups', { name: 'bench' });
    await post('/models/bench', { name: 'transfer' });
    await post('/models/bench/transfer/candidates', {});
    const pid = reg.proc.pid!;
    const base = memoryOf(pid);
    log(`server RSS before upload: ${base.rssMiB.toFixed(1)} MiB`);

    const artifactUrl = `${api}/models/bench/transfer/candidates/1/artifacts/big.bin`;
    const client = hasCurl() ? 'curl' : 'node';
    log(`transfer client: ${client}`);

    let stop = sampleRss(pid);
    t = process.hrtime.bigint();
    const upStatus =
      client === 'curl'
        ? await curl(
            [
              '-T',
              src,
              '-H',
              'Expect:',
              '-H',
              'Content-Type: application/octet-stream',
              artifactUrl
            ],
            token
          )
        : await nodeUpload(artifactUrl, token, src, bytes);
    const uploadS = Number(process.hrtime.bigint() - t) / 1e9;
    const rssUp = Math.max(stop(), memoryOf(pid).rssMiB);
    if (upStatus !== 201) {
      throw new Error(`upload failed with HTTP ${upStatus}`);
    }

    stop = sampleRss(pid);
    t = process.hrtime.bigint();
    const downStatus =
      client === 'curl'
        ? await curl([artifactUrl], token, dlDst)
        : await nodeDownload(artifactUrl, token, dlDst);
    const downloadS = Number(process.hrtime.bigint() - t) / 1e9;
    if (downStatus !== 200) {
      throw new Error(`download failed with HTTP ${downStatus}`);
    }
    const rssDown = Math.max(stop(), memoryOf(pid).rssMiB);
    const hwm = memoryOf(pid).hwmMiB;
    if (fs.statSync(dlDst).size !== bytes) {
      throw new Error('download size mismatch');
    }

    const mib = bytes / 2 ** 20;
    return {
      bytes,
      cp_s: cpS,
      upload_s: uploadS,
      download_s: downloadS,
      cp_MiBps: mib / cpS,
      upload_MiBps: mib / uploadS,
      download_MiBps: mib / downloadS,
      upload_ratio_vs_cp: cpS / uploadS,
      download_ratio_vs_cp: cpS / downloadS,
      rss_peak_upload_MiB: rssUp,
      rss_peak_download_MiB: rssDown,
      rss_hwm_MiB: hwm,
      sha256_MiBps: sha256MiBps,
      client
    };
  } finally {
    await reg.stop();
    for (const f of [src, dlDst]) {
      fs.rmSync(f, { force: true });
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
