import { execFile, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { memoryOf, sampleRss, startRegistry } from './server-process';

/** One artifact size, registry vs the bare HTTP file server, `rounds` alternating pairs (medians). */
export interface TransferResult {
  bytes: number;
  rounds: number;
  bare_upload_MiBps: number;
  /**
   * The bare server writing each upload to a new file and unlinking the one before, as the registry
   * does (temp file renamed over the blob): on this VM fresh page-cache pages cost far more than the
   * pages of a file overwritten in place, so the in-place yardstick alone hides that cost.
   */
  bare_new_file_upload_MiBps: number;
  bare_download_MiBps: number;
  /**
   * The bare server's download after its file was dropped from the page cache (`dd iflag=nocache`).
   * Not the yardstick: on this VM the pages the drop frees are refilled at once, where a file that
   * never was in the cache costs fresh pages (a 512 MiB `dd` read: 0.21 s dropped, 0.58-1.02 s never cached).
   */
  bare_cold_download_MiBps: number;
  /**
   * The bare server's download of a file written past the page cache (`dd oflag=direct`), as the
   * registry's blobs are: the yardstick of the registry's first download after an upload.
   */
  bare_uncached_download_MiBps: number;
  upload_MiBps: number;
  /**
   * The first download after the upload, verified marker matching (no re-hash). Uploads bypass the
   * page cache (server/src/blobs/direct-io.ts), so this one reads the disk.
   */
  download_MiBps: number;
  /** The same download again: from the page cache, as the bare server's download is. */
  download_again_MiBps: number;
  /** The same blob with its marker removed: hashed on the way out (first download after a change). */
  download_rehash_MiBps: number;
  /** Medians of the per-pair ratios registry / bare. */
  upload_ratio: number;
  /** registry / bare writing a new file per upload. */
  upload_new_file_ratio: number;
  /** registry first download / bare download of a never-cached file. */
  download_ratio: number;
  /** registry first download / bare download of its file dropped from the page cache. */
  download_dropped_ratio: number;
  /** registry download again / bare (warm) download. */
  download_again_ratio: number;
  download_rehash_ratio: number;
  rss_peak_MiB: number;
  /**
   * CPU seconds (user + system, all threads) the server process spent per transfer, medians. On the
   * shared 2-CPU machine wall-clock ratios swing 2x with the load; CPU per byte barely moves.
   */
  cpu_s: {
    bare_upload: number;
    bare_new_file_upload: number;
    upload: number;
    bare_download: number;
    bare_cold_download: number;
    bare_uncached_download: number;
    download: number;
    download_again: number;
    download_rehash: number;
  };
  client: 'curl';
}

/** utime + stime of a process, all its threads, in seconds (/proc/PID/stat, clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Runs one transfer and adds the CPU seconds `pid` spent during it to `into`. */
async function withCpu<T>(
  pid: number,
  into: number[],
  run: () => Promise<T>
): Promise<T> {
  const before = cpuSeconds(pid);
  const result = await run();
  into.push(cpuSeconds(pid) - before);
  return result;
}

function makeFile(file: string, bytes: number): void {
  const fd = fs.openSync(file, 'w');
  const chunk = 8 * 1024 * 1024;
  // Random so nothing along the way can compress or dedup it.
  for (let done = 0; done < bytes; done += chunk) {
    fs.writeSync(fd, crypto.randomBytes(Math.min(chunk, bytes - done)));
  }
  // Written back before any timing: otherwise the first upload pays for this file's dirty pages.
  fs.fsyncSync(fd);
  fs.closeSync(fd);
}

/** Runs a command to completion; rejects if it fails. */
function run(command: string, args: string[] = []): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(command, args, err => (err ? reject(err) : resolve()))
  );
}

/**
 * Writes all dirty pages back before a timed transfer. Without it each transfer paid for the
 * writeback of the one before (the bare server's unsynced upload slowed the registry's fsync; a
 * download written to a file slowed the next one), and the registry always came second.
 */
const syncDisks = () => run('sync');

/** Copies a file past the page cache (O_DIRECT, fsynced), as the registry writes its blobs. */
const copyUncached = (from: string, to: string) =>
  run('dd', [
    `if=${from}`,
    `of=${to}`,
    'bs=1M',
    'oflag=direct',
    'conv=fsync',
    'status=none'
  ]);

/** Evicts a file's clean pages from the page cache (GNU dd: nocache with count=0 drops the whole file). */
const dropFromPageCache = (file: string) =>
  run('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);

/**
 * curl is the client: a C client leaves the two shared CPUs to the servers, where a Node client
 * in this process would compete with them. Downloads go to /dev/null so the client's disk is not
 * part of the measure. Resolves with the HTTP status, the body bytes and the seconds taken.
 */
async function curl(
  args: string[],
  token: string
): Promise<{ status: number; bytes: number; s: number }> {
  await syncDisks();
  const t = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    execFile(
      'curl',
      [
        '-sS',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code} %{size_download}',
        '-H',
        `Authorization: Bearer ${token}`,
        ...args
      ],
      (err, stdout) => {
        if (err) {
          reject(err);
        } else {
          const [status, bytes] = stdout.trim().split(' ').map(Number);
          resolve({
            status,
            bytes,
            s: Number(process.hrtime.bigint() - t) / 1e9
          });
        }
      }
    );
  });
}

const put = (url: string, file: string, token: string) =>
  curl(
    [
      '-T',
      file,
      '-H',
      'Expect:',
      '-H',
      'Content-Type: application/octet-stream',
      url
    ],
    token
  );

async function json(res: http.IncomingMessage): Promise<any> {
  let s = '';
  for await (const c of res) {
    s += c;
  }
  return JSON.parse(s);
}

function startBare(dir: string): Promise<{ proc: ChildProcess; url: string }> {
  fs.mkdirSync(dir, { recursive: true });
  const proc = spawn(
    process.execPath,
    [path.join(__dirname, 'bare-server.js'), dir],
    {
      stdio: ['ignore', 'pipe', 'inherit']
    }
  );
  return new Promise((resolve, reject) => {
    proc.stdout!.once('data', (d: Buffer) =>
      resolve({ proc, url: `http://127.0.0.1:${Number(String(d).trim())}` })
    );
    proc.once('exit', code => reject(new Error(`bare server exited ${code}`)));
  });
}

const perTransfer = () => ({
  bareUp: [] as number[],
  bareNewUp: [] as number[],
  up: [] as number[],
  bareDown: [] as number[],
  bareColdDown: [] as number[],
  bareUncachedDown: [] as number[],
  down: [] as number[],
  downAgain: [] as number[],
  rehash: [] as number[]
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? s[(s.length - 1) / 2]
    : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * For each size: `rounds` rounds of bare PUT, registry PUT, bare GET, registry GET (marker) and
 * registry GET with the marker removed, all with curl, back to back so each ratio pairs runs of
 * the same minute. The registry samples its VmRSS every 20 ms throughout.
 */
export async function benchTransfer(
  workDir: string,
  sizesMiB: number[],
  rounds: number,
  log: (s: string) => void
): Promise<TransferResult[]> {
  const dataDir = path.join(workDir, 'transfer-data');
  const bareDir = path.join(workDir, 'bare-data');
  const token = 'mr_bench_' + crypto.randomBytes(12).toString('hex');
  const reg = await startRegistry(dataDir, token);
  const bare = await startBare(bareDir);
  const results: TransferResult[] = [];
  try {
    const api = `${reg.url}/api/v1`;
    const post = (p: string, body: unknown) =>
      new Promise<any>((resolve, reject) => {
        const req = http.request(
          `${api}${p}`,
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json'
            }
          },
          res => json(res).then(resolve, reject)
        );
        req.on('error', reject);
        req.end(JSON.stringify(body));
      });
    await post('/groups', { name: 'bench' });
    await post('/models/bench', { name: 'transfer' });
    const pid = reg.proc.pid!;
    log(`server RSS before transfers: ${memoryOf(pid).rssMiB.toFixed(1)} MiB`);
    let iid = 0;
    for (const mib of sizesMiB) {
      const bytes = mib * 2 ** 20;
      const src = path.join(workDir, `transfer-${mib}.bin`);
      log(`writing a ${mib} MiB random file`);
      makeFile(src, bytes);
      // Seconds per round: wall clock in `runs`, the serving process's CPU in `cpu`.
      const runs = perTransfer();
      const cpu = perTransfer();
      const barePid = bare.proc.pid!;
      const stop = sampleRss(pid);
      for (let r = 0; r < rounds; r++) {
        // A new candidate each round; the blob is the same (dedup replaces it, as a re-upload does).
        await post('/models/bench/transfer/candidates', {});
        iid++;
        const artifact = `${api}/models/bench/transfer/candidates/${iid}/artifacts/big.bin`;
        const check = (what: string, got: number, want: number) => {
          if (got !== want) {
            throw new Error(`${what} answered HTTP ${got}`);
          }
        };
        let x = await withCpu(barePid, cpu.bareUp, () =>
          put(`${bare.url}/big.bin`, src, token)
        );
        check('bare upload', x.status, 201);
        runs.bareUp.push(x.s);
        x = await withCpu(barePid, cpu.bareNewUp, () =>
          put(`${bare.url}/new-${r}.bin`, src, token)
        );
        check('bare upload (new file)', x.status, 201);
        runs.bareNewUp.push(x.s);
        fs.rmSync(path.join(bareDir, `new-${r - 1}.bin`), { force: true });
        x = await withCpu(pid, cpu.up, () => put(artifact, src, token));
        check('registry upload', x.status, 201);
        runs.up.push(x.s);
        x = await withCpu(barePid, cpu.bareDown, () =>
          curl([`${bare.url}/big.bin`], token)
        );
        check('bare download', x.status, 200);
        runs.bareDown.push(x.s);
        await dropFromPageCache(path.join(bareDir, 'big.bin'));
        x = await withCpu(barePid, cpu.bareColdDown, () =>
          curl([`${bare.url}/big.bin`], token)
        );
        check('bare download (cold)', x.status, 200);
        runs.bareColdDown.push(x.s);
        fs.rmSync(path.join(bareDir, `uncached-${r - 1}.bin`), { force: true });
        await copyUncached(src, path.join(bareDir, `uncached-${r}.bin`));
        const bareUncached = async () => {
          const y = await withCpu(barePid, cpu.bareUncachedDown, () =>
            curl([`${bare.url}/uncached-${r}.bin`], token)
          );
          check('bare download (never cached)', y.status, 200);
          runs.bareUncachedDown.push(y.s);
        };
        const registryFirst = async () => {
          const y = await withCpu(pid, cpu.down, () => curl([artifact], token));
          check('registry download', y.status, 200);
          runs.down.push(y.s);
          if (y.bytes !== bytes) {
            throw new Error('download size mismatch');
          }
        };
        // Which of the two reads fresh pages cheaper depends on what the VM freed just before
        // (the page cache pages of the files deleted or dropped above): the order alternates.
        if (r % 2 === 0) {
          await bareUncached();
          await registryFirst();
        } else {
          await registryFirst();
          await bareUncached();
        }
        x = await withCpu(pid, cpu.downAgain, () => curl([artifact], token));
        check('registry download (again)', x.status, 200);
        runs.downAgain.push(x.s);
        const sha = fs.readdirSync(path.join(dataDir, 'blobs', 'verified'))[0];
        fs.rmSync(path.join(dataDir, 'blobs', 'verified', sha));
        x = await withCpu(pid, cpu.rehash, () => curl([artifact], token));
        check('registry download (re-hash)', x.status, 200);
        runs.rehash.push(x.s);
        log(
          `${mib} MiB round ${r + 1}: up bare ${runs.bareUp[r].toFixed(2)} s / bare new file ${runs.bareNewUp[r].toFixed(2)} s / registry ${runs.up[r].toFixed(2)} s; ` +
            `down bare ${runs.bareDown[r].toFixed(2)} s / bare cold ${runs.bareColdDown[r].toFixed(2)} s / bare never cached ${runs.bareUncachedDown[r].toFixed(2)} s / registry ${runs.down[r].toFixed(2)} s / again ${runs.downAgain[r].toFixed(2)} s / re-hashed ${runs.rehash[r].toFixed(2)} s; ` +
            `CPU s up ${cpu.bareUp[r].toFixed(2)} / ${cpu.up[r].toFixed(2)}, down ${cpu.bareDown[r].toFixed(2)} / ${cpu.bareColdDown[r].toFixed(2)} / ${cpu.bareUncachedDown[r].toFixed(2)} / ${cpu.down[r].toFixed(2)} / ${cpu.downAgain[r].toFixed(2)} / ${cpu.rehash[r].toFixed(2)}`
        );
      }
      const rss = Math.max(stop(), memoryOf(pid).rssMiB);
      const ratio = (a: number[], b: number[]) =>
        median(a.map((s, i) => b[i] / s));
      results.push({
        bytes,
        rounds,
        bare_upload_MiBps: mib / median(runs.bareUp),
        bare_new_file_upload_MiBps: mib / median(runs.bareNewUp),
        bare_download_MiBps: mib / median(runs.bareDown),
        bare_cold_download_MiBps: mib / median(runs.bareColdDown),
        bare_uncached_download_MiBps: mib / median(runs.bareUncachedDown),
        upload_MiBps: mib / median(runs.up),
        download_MiBps: mib / median(runs.down),
        download_again_MiBps: mib / median(runs.downAgain),
        download_rehash_MiBps: mib / median(runs.rehash),
        upload_ratio: ratio(runs.up, runs.bareUp),
        upload_new_file_ratio: ratio(runs.up, runs.bareNewUp),
        download_ratio: ratio(runs.down, runs.bareUncachedDown),
        download_dropped_ratio: ratio(runs.down, runs.bareColdDown),
        download_again_ratio: ratio(runs.downAgain, runs.bareDown),
        download_rehash_ratio: ratio(runs.rehash, runs.bareDown),
        rss_peak_MiB: rss,
        cpu_s: {
          bare_upload: median(cpu.bareUp),
          bare_new_file_upload: median(cpu.bareNewUp),
          upload: median(cpu.up),
          bare_download: median(cpu.bareDown),
          bare_cold_download: median(cpu.bareColdDown),
          bare_uncached_download: median(cpu.bareUncachedDown),
          download: median(cpu.down),
          download_again: median(cpu.downAgain),
          download_rehash: median(cpu.rehash)
        },
        client: 'curl'
      });
      fs.rmSync(src, { force: true });
    }
    return results;
  } finally {
    bare.proc.kill();
    await reg.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(bareDir, { recursive: true, force: true });
  }
}
