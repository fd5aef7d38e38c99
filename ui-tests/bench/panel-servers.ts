/**
 * globalSetup of the panel benchmark: the seeded sweep store (server/bench/store.ts: seeded now, or the
 * one `npm run bench` or an earlier run of this bench kept), a registry on it started as the server
 * bench starts it, and JupyterLab pointed at that registry (start-e2e-servers.sh, on the port
 * playwright.config.js chose). The shape and the store come from the environment that panel-bench.js sets.
 */
import { spawn } from 'child_process';
import * as path from 'path';
import { serverRoot } from '../../server/test/support/registry';
import { startRegistry } from '../../server/bench/server-process';
import { defaultStore, seededStore } from '../../server/bench/store';
import { benchShape } from './panel-shape';

const log = (s: string) => console.error(`[panel-bench] ${s}`);

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

export default async function startServers(): Promise<() => Promise<void>> {
  const shape = benchShape();
  const store =
    process.env.MODELREG_BENCH_STORE ||
    defaultStore(path.join(serverRoot(), '.bench'), shape);
  const { dataDir, token } = await seededStore(shape, store, null, log);
  const registry = await startRegistry(dataDir, token);
  log(`registry ${registry.url} on ${dataDir}`);
  // The workers start after this returns and inherit these.
  process.env.E2E_REGISTRY_PORT = new URL(registry.url).port;
  process.env.E2E_ADMIN_TOKEN = token;

  const jupyterUrl = `http://127.0.0.1:${process.env.E2E_JUPYTER_PORT}`;
  const jupyter = spawn(
    'bash',
    [path.join(__dirname, '..', 'start-e2e-servers.sh')],
    { env: process.env, stdio: ['ignore', 'ignore', 'pipe'] }
  );
  let jupyterLog = '';
  jupyter.stderr?.on(
    'data',
    (chunk: Buffer) => (jupyterLog = (jupyterLog + chunk).slice(-20_000))
  );
  const stop = async () => {
    if (jupyter.exitCode === null && jupyter.signalCode === null) {
      const exited = new Promise(r => jupyter.once('exit', r));
      jupyter.kill('SIGTERM');
      await exited;
    }
    await registry.stop();
  };
  const deadline = Date.now() + 120_000;
  while (!(await answers(`${jupyterUrl}/lab`))) {
    if (jupyter.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`JupyterLab did not start:\n${jupyterLog}`);
    }
    await new Promise(r => setTimeout(r, 500));
  }
  log(`JupyterLab ${jupyterUrl}`);
  return stop;
}
