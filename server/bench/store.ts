import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { seedRegistry, type SeedShape } from './seed';
import { dropSchema } from '../test/helpers/server';

/** `1x1000000x20`: models x candidates per model x metrics per candidate. */
export const shapeName = (s: SeedShape): string =>
  `${s.models}x${s.candidatesPerModel}x${s.metricsPerCandidate}`;

/** Where `npm run bench` keeps the seeded SQLite store of `shape` (the panel bench reuses it). */
export const defaultStore = (benchDir: string, shape: SeedShape): string =>
  path.join(benchDir, 'stores', `sqlite-${shapeName(shape)}`);

/**
 * The registry's data dir for `shape`: `store`, seeded now, or kept from an earlier run of the same
 * shape and used in place (the benchmarks only read; with PostgreSQL the rows live in the schema).
 * `token` is the admin token the seed created, kept in `store/bench-shape.json`.
 */
export async function seededStore(
  shape: SeedShape,
  store: string,
  postgres: { url: string; schema: string } | null,
  log: (s: string) => void
): Promise<{ dataDir: string; token: string; seedS: number | null }> {
  const marker = path.join(store, 'bench-shape.json');
  if (fs.existsSync(marker)) {
    const kept = JSON.parse(fs.readFileSync(marker, 'utf8'));
    if (JSON.stringify(kept.shape) === JSON.stringify(shape)) {
      log(`reusing the seeded store in ${postgres ? postgres.schema : store}`);
      return { dataDir: store, token: kept.token, seedS: null };
    }
  }
  fs.rmSync(store, { recursive: true, force: true });
  fs.mkdirSync(store, { recursive: true });
  if (postgres) {
    await dropSchema(postgres.schema, postgres.url);
  }
  const token = 'mr_bench_' + crypto.randomBytes(12).toString('hex');
  const t = Date.now();
  log(
    `seeding ${shape.models} models x ${shape.candidatesPerModel} candidates x ${shape.metricsPerCandidate} metrics`
  );
  await seedRegistry(store, token, shape, log, postgres);
  const seedS = (Date.now() - t) / 1000;
  log(`seeded in ${seedS.toFixed(1)} s`);
  fs.writeFileSync(marker, JSON.stringify({ shape, token }));
  return { dataDir: store, token, seedS };
}
