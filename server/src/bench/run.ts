import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeAgent, measure, type LatencyResult } from './latency';
import { seedRegistry, type SeedShape } from './seed';
import { startRegistry } from './server-process';
import { benchTransfer, type TransferResult } from './transfer';

/**
 * `npm run bench`: transfer of a large artifact vs cp, server RSS, and p50/p99 of card / search /
 * compare on a seeded store. Prints a table and writes JSON to server/.bench/.
 * Options: --transfer-mib N (1024), --models N (1000), --candidates N per model (100), --metrics N (20),
 * --requests N (300), --skip-transfer, --skip-latency, --store DIR (keep the seeded store in DIR and reuse it
 * on later runs with the same shape: seeding 100,000 candidates takes minutes).
 */
function options(argv: string[]) {
  const get = (name: string, def: number) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : def;
  };
  return {
    transferMiB: get('transfer-mib', 1024),
    shape: {
      models: get('models', 1000),
      candidatesPerModel: get('candidates', 100),
      metricsPerCandidate: get('metrics', 20)
    } as SeedShape,
    requests: get('requests', 300),
    skipTransfer: argv.includes('--skip-transfer'),
    skipLatency: argv.includes('--skip-latency'),
    store: argv.includes('--store')
      ? path.resolve(argv[argv.indexOf('--store') + 1])
      : null
  };
}

const log = (s: string) => console.error(`[bench] ${s}`);
const f1 = (n: number) => n.toFixed(1);

/** Seeds a store of `shape`, or reuses the one kept in `store` from an earlier run. */
async function seededStore(
  workDir: string,
  shape: SeedShape,
  store: string | null
): Promise<{ dataDir: string; token: string; seedS: number | null }> {
  const dataDir = path.join(workDir, 'latency-data');
  const marker = store && path.join(store, 'bench-shape.json');
  if (store && fs.existsSync(marker!)) {
    const kept = JSON.parse(fs.readFileSync(marker!, 'utf8'));
    if (JSON.stringify(kept.shape) === JSON.stringify(shape)) {
      log(`reusing the seeded store in ${store}`);
      fs.cpSync(store, dataDir, { recursive: true });
      return { dataDir, token: kept.token, seedS: null };
    }
  }
  const token = 'mr_bench_' + crypto.randomBytes(12).toString('hex');
  const t = Date.now();
  log(
    `seeding ${shape.models} models x ${shape.candidatesPerModel} candidates x ${shape.metricsPerCandidate} metrics`
  );
  await seedRegistry(dataDir, token, shape, log);
  const seedS = (Date.now() - t) / 1000;
  log(`seeded in ${f1(seedS)} s`);
  if (store) {
    fs.rmSync(store, { recursive: true, force: true });
    fs.cpSync(dataDir, store, { recursive: true });
    fs.writeFileSync(marker!, JSON.stringify({ shape, token }));
  }
  return { dataDir, token, seedS };
}

async function latency(
  workDir: string,
  shape: SeedShape,
  requests: number,
  store: string | null
): Promise<{ seed_s: number | null; results: LatencyResult[] }> {
  const { dataDir, token, seedS } = await seededStore(workDir, shape, store);
  const reg = await startRegistry(dataDir, token);
  try {
    const api = `${reg.url}/api/v1/models/bench`;
    const model = (i: number) => `m${(i * 7919) % shape.models}`;
    const refs = Array.from(
      { length: Math.min(100, shape.candidatesPerModel) },
      (_, i) => `c:${i + 1}`
    ).join(',');
    const results = [
      await measure(
        'model card GET',
        20,
        requests,
        i => `${api}/${model(i)}`,
        token
      ),
      await measure(
        'candidate search, order_by metric',
        50,
        requests,
        i =>
          `${api}/${model(i)}/candidates?order_by=${encodeURIComponent(`metrics.metric_${1 + (i % 19)} DESC`)}&filter=${encodeURIComponent('metrics.loss < 0.9')}&limit=50`,
        token
      ),
      await measure(
        `compare of ${Math.min(100, shape.candidatesPerModel)} candidates`,
        100,
        Math.max(50, Math.floor(requests / 3)),
        i => `${api}/${model(i)}/compare?refs=${refs}`,
        token
      )
    ];
    return { seed_s: seedS, results };
  } finally {
    closeAgent();
    await reg.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function table(transfer: TransferResult | null, lat: LatencyResult[]): string {
  const lines: string[] = [];
  if (transfer) {
    const mib = transfer.bytes / 2 ** 20;
    lines.push(
      `| transfer (${mib.toFixed(0)} MiB, client ${transfer.client}) | seconds | MiB/s | ratio vs cp | target |`,
      '|---|---|---|---|---|'
    );
    lines.push(
      `| cp (same disk) | ${transfer.cp_s.toFixed(2)} | ${f1(transfer.cp_MiBps)} | 1.00 | |`
    );
    lines.push(
      `| sha256 of the file, one core (reference) | ${(mib / transfer.sha256_MiBps).toFixed(2)} | ${f1(transfer.sha256_MiBps)} | ${(transfer.sha256_MiBps / transfer.cp_MiBps).toFixed(2)} | |`
    );
    lines.push(
      `| upload (PUT, hashed + fsync) | ${transfer.upload_s.toFixed(2)} | ${f1(transfer.upload_MiBps)} | ${transfer.upload_ratio_vs_cp.toFixed(2)} | >= 0.6 |`
    );
    lines.push(
      `| download (GET to file) | ${transfer.download_s.toFixed(2)} | ${f1(transfer.download_MiBps)} | ${transfer.download_ratio_vs_cp.toFixed(2)} | >= 0.6 |`
    );
    lines.push('', '| server memory | MiB | target |', '|---|---|---|');
    lines.push(
      `| peak RSS during upload | ${f1(transfer.rss_peak_upload_MiB)} | < 150 |`
    );
    lines.push(
      `| peak RSS during download | ${f1(transfer.rss_peak_download_MiB)} | < 150 |`
    );
    lines.push(`| VmHWM (process lifetime) | ${f1(transfer.rss_hwm_MiB)} | |`);
  }
  if (lat.length) {
    lines.push(
      '',
      '| latency | requests | p50 ms | p99 ms | max ms | p99 target ms |',
      '|---|---|---|---|---|---|'
    );
    for (const r of lat) {
      lines.push(
        `| ${r.name} | ${r.requests} | ${f1(r.p50_ms)} | ${f1(r.p99_ms)} | ${f1(r.max_ms)} | < ${r.target_p99_ms} |`
      );
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  const outDir = path.join(__dirname, '..', '..', '.bench');
  fs.mkdirSync(outDir, { recursive: true });
  const workDir = fs.mkdtempSync(path.join(outDir, 'run-'));
  try {
    const transfer = opts.skipTransfer
      ? null
      : await benchTransfer(workDir, opts.transferMiB * 2 ** 20, log);
    const lat = opts.skipLatency
      ? null
      : await latency(workDir, opts.shape, opts.requests, opts.store);
    const result = {
      when: new Date().toISOString(),
      host: {
        cpus: os.cpus().length,
        load: os.loadavg(),
        node: process.version
      },
      shape: opts.shape,
      transfer,
      seed_s: lat?.seed_s ?? null,
      latency: lat?.results ?? []
    };
    const file = path.join(outDir, 'server-bench.json');
    fs.writeFileSync(file, JSON.stringify(result, null, 2));
    console.log(table(transfer, lat?.results ?? []));
    console.log(`\nJSON: ${file}`);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch(err => {
  console.error(err);
  process.exit(1);
});
