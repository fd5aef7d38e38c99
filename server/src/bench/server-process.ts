import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The registry as a separate process, as users run it, so its RSS is measured alone. */
export async function startRegistry(dataDir: string, adminToken: string): Promise<{ url: string; proc: ChildProcess; stop: () => Promise<void> }> {
  const cli = path.join(__dirname, '..', 'cli.js');
  // The same V8 flag as `npm start`: a small young generation keeps RSS flat while streaming.
  const proc = spawn(process.execPath, ['--max-semi-space-size=2', cli, 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'info'], {
    env: { ...process.env, MODELREG_ADMIN_TOKEN: adminToken, MODELREG_DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (c: Buffer) => {
      out = (out + c.toString()).slice(-10_000);
      const m = /listening at (http:\/\/127\.0\.0\.1:\d+)/i.exec(out);
      if (m) resolve(m[1]);
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`registry exited with ${code}: ${out}`)));
  });
  return {
    url,
    proc,
    stop: async () => {
      if (proc.exitCode !== null) return;
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await done;
    },
  };
}

/** Resident set size now and the high-water mark, in MiB, from /proc. */
export function memoryOf(pid: number): { rssMiB: number; hwmMiB: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
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
