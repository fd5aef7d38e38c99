import fs from 'node:fs';
import path from 'node:path';
import {
  serverRoot,
  spawnRegistry,
  type RegistryProcess
} from '../test/support/registry';

/** The V8 flags of `npm start` (server/v8-flags says why these). */
const V8_FLAGS = fs
  .readFileSync(path.join(serverRoot(), 'v8-flags'), 'utf8')
  .split('\n')
  .map(line => line.trim())
  .filter(line => line && !line.startsWith('#'));

/** The registry as `npm start` runs it. */
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
    nodeArgs: V8_FLAGS
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
