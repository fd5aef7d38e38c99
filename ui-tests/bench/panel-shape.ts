/**
 * What the panel benchmark measures, from the environment panel-bench.js sets from its options: the
 * seeded shape (one model of 1,000,000 candidates x 20 metrics by default), the repetitions and how many
 * candidates compare ticks.
 */
import type { SeedShape } from '../../server/bench/seed';

const number = (name: string, fallback: number): number => {
  const value = process.env[name];
  return value ? Number(value) : fallback;
};

export function benchShape(): SeedShape {
  return {
    models: number('MODELREG_BENCH_MODELS', 1),
    candidatesPerModel: number('MODELREG_BENCH_CANDIDATES', 1_000_000),
    metricsPerCandidate: number('MODELREG_BENCH_METRICS', 20)
  };
}

export const benchRepeat = (): number => number('MODELREG_BENCH_REPEAT', 5);

export const benchCompare = (): number => number('MODELREG_BENCH_COMPARE', 50);
