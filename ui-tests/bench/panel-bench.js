#!/usr/bin/env node
// `npm run bench:panel` (ui-tests/): the panel on a sweep, in Galata (bench/panel.bench.ts), with the load
// average before and after; prints the table and leaves the JSON in ui-tests/.bench/panel-bench.json.
// Options: --candidates N (1000000), --metrics N (20), --models N (1), --repeat N (5), --compare N (50),
// --store DIR (the seeded store to reuse or create; default server/.bench/stores/sqlite-<shape>, where
// `npm run bench` keeps the same shape). Needs the built server and extension (make install).
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const OPTIONS = {
  candidates: 'MODELREG_BENCH_CANDIDATES',
  metrics: 'MODELREG_BENCH_METRICS',
  models: 'MODELREG_BENCH_MODELS',
  repeat: 'MODELREG_BENCH_REPEAT',
  compare: 'MODELREG_BENCH_COMPARE',
  store: 'MODELREG_BENCH_STORE'
};

const here = path.resolve(__dirname, '..');
const out = path.join(here, '.bench', 'panel-bench.json');
const env = { ...process.env, MODELREG_BENCH_OUT: out };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const name = argv[i].replace(/^--/, '');
  if (!(name in OPTIONS) || argv[i + 1] === undefined) {
    console.error(
      `unknown option ${argv[i]}; options: ${Object.keys(OPTIONS)
        .map(o => `--${o}`)
        .join(' ')}`
    );
    process.exit(2);
  }
  env[OPTIONS[name]] =
    name === 'store' ? path.resolve(argv[i + 1]) : argv[i + 1];
}

const loadAverage = () =>
  os
    .loadavg()
    .map(n => n.toFixed(2))
    .join(' / ');
const started = loadAverage();
console.error(
  `[panel-bench] load average (1 / 5 / 15 min) at start: ${started}`
);
fs.rmSync(out, { force: true });
const run = spawnSync(
  path.join(here, 'node_modules', '.bin', 'playwright'),
  ['test', '-c', path.join('bench', 'playwright.config.js')],
  { cwd: here, env, stdio: 'inherit' }
);
if (run.status !== 0 || !fs.existsSync(out)) {
  console.error(`[panel-bench] the benchmark failed (exit ${run.status})`);
  process.exit(1);
}

const result = JSON.parse(fs.readFileSync(out, 'utf8'));
const { models, candidatesPerModel, metricsPerCandidate } = result.shape;
const ms = n => n.toFixed(0);
console.log(
  `\n| panel (${models} x ${candidatesPerModel.toLocaleString('en')} candidates x ${metricsPerCandidate} metrics, ${result.model}) | first after registry start ms | then: reps | median ms | max ms | last registry response, median ms | target ms |`
);
console.log('|---|---|---|---|---|---|---|');
for (const r of result.results) {
  const waited = r.requests.some(requests => requests.length);
  console.log(
    `| ${r.name} | ${ms(r.first_ms)} | ${r.samples_ms.length} | ${ms(r.median_ms)} | ${ms(r.max_ms)} | ${waited ? ms(r.median_last_response_ms) : ''} | ${r.target_ms === null ? '' : `< ${r.target_ms}`} |`
  );
}
console.log(
  `\nload average (1 / 5 / 15 min): at start ${started}; measurements from ${result.host.load_before} to ${result.host.load_after}; after ${loadAverage()} (${result.host.cpus} CPUs)`
);
console.log(`\nJSON: ${out}`);
