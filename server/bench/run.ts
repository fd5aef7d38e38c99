import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeAgent, measure, type LatencyResult } from './latency';
import { encodeCursor } from '../src/domain/cursor';
import { HISTORY_STEPS, type SeedShape } from './seed';
import { defaultStore, seededStore, shapeName } from './store';
import { serverRoot } from '../test/support/registry';
import { PG_URL } from '../test/helpers/server';
import { sampleRss, startRegistry } from './server-process';
import { benchTransfer, type TransferResult } from './transfer';

/**
 * `npm run bench`: transfers of large artifacts vs a bare Node HTTP file server, server RSS, and p50/p99 of card / search /
 * compare / metric history on seeded stores. Prints a table and writes JSON to server/.bench/.
 * By default it measures two shapes: a catalogue (1,000 models x 100 candidates) and a sweep (one
 * model with 1,000,000 candidates), 20 metrics each. Seeded stores are kept in server/.bench/stores/
 * and reused by later runs of the same shape (seeding the sweep takes minutes).
 * Options: --transfer-mib N[,N] (512,1024), --rounds N (3 paired transfer rounds), --models N --candidates N --metrics N (one shape instead of the
 * two), --requests N (300), --skip-transfer, --skip-latency, --store DIR (keep the store in DIR),
 * --backend sqlite|postgres (sqlite; postgres uses MODELREG_TEST_DATABASE_URL or the local test
 * database, one schema per shape, kept for reuse like the SQLite stores; --schema NAME names it instead).
 */
function options(argv: string[]) {
  const get = (name: string, def: number) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : def;
  };
  const custom = ['models', 'candidates', 'metrics'].some(n =>
    argv.includes(`--${n}`)
  );
  const shapes: SeedShape[] = custom
    ? [
        {
          models: get('models', 1000),
          candidatesPerModel: get('candidates', 100),
          metricsPerCandidate: get('metrics', 20)
        }
      ]
    : [
        { models: 1000, candidatesPerModel: 100, metricsPerCandidate: 20 },
        { models: 1, candidatesPerModel: 1_000_000, metricsPerCandidate: 20 }
      ];
  return {
    transferMiB: (argv.includes('--transfer-mib')
      ? argv[argv.indexOf('--transfer-mib') + 1]
      : '512,1024'
    )
      .split(',')
      .map(Number),
    rounds: get('rounds', 3),
    shapes,
    requests: get('requests', 300),
    backend: (argv.includes('--backend')
      ? argv[argv.indexOf('--backend') + 1]
      : 'sqlite') as 'sqlite' | 'postgres',
    skipTransfer: argv.includes('--skip-transfer'),
    skipLatency: argv.includes('--skip-latency'),
    schema: argv.includes('--schema')
      ? argv[argv.indexOf('--schema') + 1]
      : null,
    store: argv.includes('--store')
      ? path.resolve(argv[argv.indexOf('--store') + 1])
      : null
  };
}

const log = (s: string) => console.error(`[bench] ${s}`);
const f1 = (n: number) => n.toFixed(1);
const loadAverage = () =>
  os
    .loadavg()
    .map(n => n.toFixed(2))
    .join(' / ');

interface ShapeResult {
  shape: SeedShape;
  backend: 'sqlite' | 'postgres';
  seed_s: number | null;
  rss_peak_MiB: number;
  results: LatencyResult[];
}

async function latency(
  shape: SeedShape,
  requests: number,
  store: string,
  backend: 'sqlite' | 'postgres',
  schema: string | null
): Promise<ShapeResult> {
  const postgres =
    backend === 'postgres'
      ? { url: PG_URL, schema: schema ?? `bench_${shapeName(shape)}` }
      : null;
  const { dataDir, token, seedS } = await seededStore(
    shape,
    store,
    postgres,
    log
  );
  const reg = await startRegistry(dataDir, token, postgres);
  const peakRss = sampleRss(reg.proc.pid!);
  try {
    const api = `${reg.url}/api/v1/models/bench`;
    const model = (i: number) => `m${(i * 7919) % shape.models}`;
    // Candidate 1 of m0 carries the long `curve` history: compare the next 100, whose metrics
    // look like any sweep's (a few points each).
    const refs = Array.from(
      { length: Math.min(100, shape.candidatesPerModel - 1) },
      (_, i) => `c:${i + 2}`
    ).join(',');
    const search = (i: number, filter: string, extra = '') =>
      `${api}/${model(i)}/candidates?order_by=${encodeURIComponent(`metrics.metric_${1 + (i % 19)} DESC`)}&filter=${encodeURIComponent(filter)}&limit=50${extra}`;
    // A page from the middle of the sweep, as a client that followed next_cursor that far holds it:
    // the metrics are uniform in [0, 1), so value 0.5 is half-way down.
    const deep = (i: number) =>
      `&cursor=${encodeCursor([0, 0.5 - (i % 50) / 1000, 0])}`;
    const results = [
      await measure(
        'model card GET',
        20,
        requests,
        i => `${api}/${model(i)}`,
        token
      ),
      await measure(
        'search: filter on a metric, order by another (first page)',
        50,
        requests,
        i => search(i, 'metrics.loss < 0.9'),
        token
      ),
      await measure(
        'search: same, a deep page by cursor',
        50,
        requests,
        i => search(i, 'metrics.loss < 0.9', deep(i)),
        token
      ),
      await measure(
        'search: filter on a param, order by a metric',
        50,
        requests,
        i => search(i, `params.depth = '${i % 10}'`),
        token
      ),
      await measure(
        `compare of ${Math.min(100, shape.candidatesPerModel - 1)} candidates`,
        100,
        Math.max(50, Math.floor(requests / 3)),
        i => `${api}/${model(i)}/compare?refs=${refs}`,
        token
      ),
      await measure(
        `metric history of ${HISTORY_STEPS} steps`,
        200,
        Math.max(50, Math.floor(requests / 3)),
        () => `${api}/m0/candidates/1/metrics/curve`,
        token
      )
    ];
    return { shape, backend, seed_s: seedS, rss_peak_MiB: peakRss(), results };
  } finally {
    peakRss();
    closeAgent();
    await reg.stop();
  }
}

const cpuPair = (bare: number, registry: number) =>
  `${bare.toFixed(2)} / ${registry.toFixed(2)}`;

function table(transfer: TransferResult[], shapes: ShapeResult[]): string {
  const lines: string[] = [];
  if (transfer.length) {
    lines.push(
      '| transfer (curl, median of paired rounds) | bare server MiB/s | registry MiB/s | registry / bare | target | server CPU s, bare / registry |',
      '|---|---|---|---|---|---|'
    );
    for (const t of transfer) {
      const mib = (t.bytes / 2 ** 20).toFixed(0);
      lines.push(
        `| upload ${mib} MiB (hashed + fsync) | ${f1(t.bare_upload_MiBps)} | ${f1(t.upload_MiBps)} | ${t.upload_ratio.toFixed(2)} | >= 0.8 | ${cpuPair(t.cpu_s.bare_upload, t.cpu_s.upload)} |`,
        `| upload ${mib} MiB, bare server writing a new file each time | ${f1(t.bare_new_file_upload_MiBps)} | ${f1(t.upload_MiBps)} | ${t.upload_new_file_ratio.toFixed(2)} | | ${cpuPair(t.cpu_s.bare_new_file_upload, t.cpu_s.upload)} |`,
        `| download ${mib} MiB, first after the upload (verified marker, never in the page cache; bare: a file written with O_DIRECT) | ${f1(t.bare_uncached_download_MiBps)} | ${f1(t.download_MiBps)} | ${t.download_ratio.toFixed(2)} | >= 0.8 | ${cpuPair(t.cpu_s.bare_uncached_download, t.cpu_s.download)} |`,
        `| download ${mib} MiB, first after the upload; bare: its file dropped from the page cache (the VM refills those pages cheaply) | ${f1(t.bare_cold_download_MiBps)} | ${f1(t.download_MiBps)} | ${t.download_dropped_ratio.toFixed(2)} | | ${cpuPair(t.cpu_s.bare_cold_download, t.cpu_s.download)} |`,
        `| download ${mib} MiB again (verified marker, page cache) | ${f1(t.bare_download_MiBps)} | ${f1(t.download_again_MiBps)} | ${t.download_again_ratio.toFixed(2)} | >= 0.8 | ${cpuPair(t.cpu_s.bare_download, t.cpu_s.download_again)} |`,
        `| download ${mib} MiB (re-hashed, no marker) | ${f1(t.bare_download_MiBps)} | ${f1(t.download_rehash_MiBps)} | ${t.download_rehash_ratio.toFixed(2)} | | ${cpuPair(t.cpu_s.bare_download, t.cpu_s.download_rehash)} |`,
        `| registry peak RSS, ${mib} MiB rounds (MiB) | | ${f1(t.rss_peak_MiB)} | | < 150 | |`
      );
    }
  }
  for (const shape of shapes) {
    const { models, candidatesPerModel, metricsPerCandidate } = shape.shape;
    lines.push(
      '',
      `| latency (${shape.backend}): ${models} models x ${candidatesPerModel} candidates x ${metricsPerCandidate} metrics | requests | p50 ms | p99 ms | max ms | p99 target ms |`,
      '|---|---|---|---|---|---|'
    );
    for (const r of shape.results) {
      lines.push(
        `| ${r.name} | ${r.requests} | ${f1(r.p50_ms)} | ${f1(r.p99_ms)} | ${f1(r.max_ms)} | < ${r.target_p99_ms} |`
      );
    }
    lines.push(
      `| server peak RSS (MiB, target < 250) | | ${f1(shape.rss_peak_MiB)} | | | |`
    );
    if (shape.seed_s !== null) {
      lines.push(`| seeding (s, target < 600) | | ${f1(shape.seed_s)} | | | |`);
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  const outDir = path.join(serverRoot(), '.bench');
  fs.mkdirSync(outDir, { recursive: true });
  const workDir = fs.mkdtempSync(path.join(outDir, 'run-'));
  try {
    const loadBefore = loadAverage();
    log(`load average (1 / 5 / 15 min) before: ${loadBefore}`);
    const transfer = opts.skipTransfer
      ? []
      : await benchTransfer(workDir, opts.transferMiB, opts.rounds, log);
    const shapes: ShapeResult[] = [];
    if (!opts.skipLatency) {
      for (const shape of opts.shapes) {
        const store =
          opts.store && opts.shapes.length === 1
            ? opts.store
            : opts.backend === 'sqlite'
              ? defaultStore(outDir, shape)
              : path.join(outDir, 'stores', `postgres-${shapeName(shape)}`);
        shapes.push(
          await latency(
            shape,
            opts.requests,
            store,
            opts.backend,
            opts.shapes.length === 1 ? opts.schema : null
          )
        );
      }
    }
    const result = {
      when: new Date().toISOString(),
      host: {
        cpus: os.cpus().length,
        load_before: loadBefore,
        load_after: loadAverage(),
        node: process.version
      },
      transfer,
      latency: shapes
    };
    const file = path.join(outDir, 'server-bench.json');
    fs.writeFileSync(file, JSON.stringify(result, null, 2));
    console.log(table(transfer, shapes));
    console.log(
      `\nload average (1 / 5 / 15 min): before ${result.host.load_before}, after ${result.host.load_after}`
    );
    console.log(`\nJSON: ${file}`);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch(err => {
  console.error(err);
  process.exit(1);
});
