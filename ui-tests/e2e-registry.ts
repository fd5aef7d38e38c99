/**
 * Playwright globalSetup: the registry for the end-to-end tests, started with the project's launcher
 * (spawnRegistry: `node server/dist/cli.js serve`) on the free port playwright.config.js chose, with a
 * fresh data dir. JupyterLab (webServer, start-e2e-servers.sh) is pointed at it by environment.
 *
 * A small supervisor lets a spec take the registry away and bring it back (the "registry unreachable"
 * spec): while `.e2e/registry/paused` exists a registry that exited is not restarted; once the file is
 * gone it is started again, on the same port and data. `.e2e/registry/pid` holds the current pid.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  spawnRegistry,
  type RegistryProcess
} from '../server/test/support/registry';
import { REGISTRY_STATE } from './tests/registry';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

export default async function startRegistry(): Promise<() => Promise<void>> {
  const port = Number(process.env.E2E_REGISTRY_PORT);
  const token = process.env.E2E_ADMIN_TOKEN;
  if (!port || !token) {
    throw new Error(
      'E2E_REGISTRY_PORT / E2E_ADMIN_TOKEN are unset: run the suite with `npx playwright test` (playwright.config.js sets them)'
    );
  }
  fs.rmSync(REGISTRY_STATE, { recursive: true, force: true });
  fs.mkdirSync(path.join(REGISTRY_STATE, 'data'), { recursive: true });
  const paused = path.join(REGISTRY_STATE, 'paused');
  const start = async () => {
    const registry = await spawnRegistry({
      dataDir: path.join(REGISTRY_STATE, 'data'),
      port,
      logFile: path.join(REGISTRY_STATE, 'registry.log'),
      env: { MODELREG_ADMIN_TOKEN: token, MODELREG_DATABASE_URL: '' }
    });
    fs.writeFileSync(
      path.join(REGISTRY_STATE, 'pid'),
      String(registry.proc.pid)
    );
    return registry;
  };

  let stopping = false;
  let current: RegistryProcess = await start();
  const exited = (registry: RegistryProcess) =>
    registry.proc.exitCode !== null || registry.proc.signalCode !== null
      ? Promise.resolve()
      : new Promise(r => registry.proc.once('exit', r));
  const supervise = async () => {
    while (!stopping) {
      await exited(current);
      while (!stopping && fs.existsSync(paused)) {
        await sleep(200);
      }
      if (!stopping) {
        try {
          current = await start();
        } catch (error) {
          console.error(`e2e: the registry did not come back: ${error}`);
          await sleep(1000);
        }
      }
    }
  };
  const supervisor = supervise();
  return async () => {
    stopping = true;
    await current.stop();
    await supervisor;
  };
}
