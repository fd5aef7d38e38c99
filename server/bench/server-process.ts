import fs from 'node:fs';
import { spawnRegistry, type RegistryProcess } from '../test/support/registry';

/** The registry with the V8 flags of `npm start` (tests/support/registry.py says why these). */
export function startRegistry(
  dataDir: string,
  adminToken: string,
  postgres: { url: string; schema: string } | null = null
): Promise<RegistryProcess> {
  return spawnRegistry({
    dataDir,
    env: {
      MODELREG_ADMIN_TOKEN: adminToken,
      MODELREG_DATABASE_URL: postgres?.url ?? '',
      MODELREG_DATABASE_SCHEMA: postgres?.schema ?? ''
    },
    nodeArgs: ['--max-semi-space-size=2', '--single-threaded-gc']
  });
}

/** Resident set size now and the high-water mark, in MiB, from /proc. */
export function memoryOf(pid: number): { rssMiB: number; hwmMiB: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssMiB: kb('VmRSS') / 1024, hwmMiB: kb('VmHWM') / 1024 };
}

/** Samples RSS every few milliseconds until stopped; returns the highest value seen. */
export function sampleRss(pid: number, everyMs = 20): () => number {
  let peak = 0;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, memoryOf(pid).rssMiB);
    } catch {
      /* process gone */
    }
  }, everyMs);
  return () => {
    clearInterval(timer);
    return peak;
  };
}
