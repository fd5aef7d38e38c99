import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startRegistry } from './server-process';

/**
 * `npm run bench:hostile -- [--rounds 5]` (server/; runs .bench/build/bench/hostile-bodies.js): GET /api/v1/health latency while three
 * ~12 MB JSON bodies of 1,000,000 keys arrive at once (one anonymous, two with a valid token),
 * next to the same probe on an idle server. Target (issue 14): every probe under 500 ms.
 */
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 5;

function request(
  url: string,
  opts: http.RequestOptions,
  body?: Buffer
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, opts, res => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function probe(
  url: string,
  until: (n: number) => boolean
): Promise<number[]> {
  const times: number[] = [];
  do {
    const t = performance.now();
    await request(`${url}/api/v1/health`, { agent: false });
    times.push(performance.now() - t);
    await new Promise(r => setTimeout(r, 10));
  } while (!until(times.length));
  return times;
}

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-hostile-'));
  const token = 'mr_bench_' + crypto.randomBytes(12).toString('hex');
  const registry = await startRegistry(dataDir, token);
  try {
    const json = (method: string, p: string, body: unknown) =>
      request(
        `${registry.url}/api/v1${p}`,
        {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json'
          }
        },
        Buffer.from(JSON.stringify(body))
      );
    await json('POST', '/groups', { name: 'bench' });
    await json('POST', '/models/bench', { name: 'm' });
    const keys: string[] = [];
    for (let i = 0; i < 1_000_000; i++) {
      keys.push(`"k${i}":1`);
    }
    const huge = Buffer.from(`{"name":"x","params":{${keys.join(',')}}}`);
    const idle: number[] = [];
    const loaded: number[] = [];
    const statuses = new Set<number>();
    for (let r = 0; r < rounds; r++) {
      idle.push(...(await probe(registry.url, n => n >= 20)));
      let done = false;
      const sending = Promise.all(
        [null, token, token].map(t =>
          request(
            `${registry.url}/api/v1/models/bench/m/candidates`,
            {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                'content-length': huge.length,
                ...(t ? { authorization: `Bearer ${t}` } : {})
              }
            },
            huge
          )
        )
      ).then(s => {
        s.forEach(x => statuses.add(x));
        done = true;
      });
      loaded.push(...(await probe(registry.url, () => done)));
      await sending;
    }
    const row = (name: string, xs: number[]) =>
      `${name.padEnd(28)} ${String(xs.length).padStart(6)} ${median(xs).toFixed(1).padStart(9)} ${Math.max(
        ...xs
      )
        .toFixed(1)
        .padStart(9)}`;
    console.log(
      `health latency (ms), ${rounds} rounds of 3 x ${(huge.length / 1e6).toFixed(1)} MB / 1,000,000 keys; load average ${os.loadavg()[0].toFixed(1)}`
    );
    console.log(
      `${'probe'.padEnd(28)} ${'n'.padStart(6)} ${'median'.padStart(9)} ${'max'.padStart(9)}`
    );
    console.log(row('idle server', idle));
    console.log(row('3 hostile bodies arriving', loaded));
    console.log(
      `answers to the bodies: ${[...statuses].sort().join(', ')}; target: max < 500 ms -> ${Math.max(...loaded) < 500 ? 'met' : 'MISSED'}`
    );
  } finally {
    await registry.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch(err => {
  console.error(err);
  process.exit(1);
});
