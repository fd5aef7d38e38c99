import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/**
 * The one way TypeScript tests, the benchmark and the end-to-end suite start a registry: the built CLI
 * (`node server/dist/cli.js serve`), as users run it. It is ready when the URL it logs answers
 * `GET /api/v1/health` with 200, never assumed.
 */
export interface RegistryProcess {
  url: string;
  proc: ChildProcess;
  /** SIGTERM and wait for the exit (a no-op when it already exited). */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  dataDir: string;
  /** Added to this process's environment (MODELREG_* settings). */
  env?: NodeJS.ProcessEnv;
  /** V8 flags placed before the script, e.g. the --max-semi-space-size that `npm start` uses. */
  nodeArgs?: string[];
  /** More `serve` flags. */
  args?: string[];
  /** 0 (the default) lets the OS pick a free port; a fixed one is refused when something answers there. */
  port?: number;
  logLevel?: string;
  /** Append the server's output to this file (the default keeps only its tail, for a failed start). */
  logFile?: string;
  /** The compiled CLI; defaults to server/dist/cli.js. */
  cli?: string;
  startTimeoutMs?: number;
}

/** server/, found from this file whether it runs from test/support (ts-jest) or a compiled copy. */
export function serverRoot(): string {
  for (
    let dir = __dirname;
    dir !== path.dirname(dir);
    dir = path.dirname(dir)
  ) {
    const manifest = path.join(dir, 'package.json');
    if (
      fs.existsSync(manifest) &&
      JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'modelreg-server'
    ) {
      return dir;
    }
  }
  throw new Error(`no modelreg-server package.json above ${__dirname}`);
}

export const CLI = path.join(serverRoot(), 'dist', 'cli.js');

/** Resolves true when something accepts TCP connections on 127.0.0.1:port. */
export function portAnswers(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/api/v1/health`, {
      signal: AbortSignal.timeout(2000)
    });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * Starts `cli.js serve --port <port|0>` and resolves with its URL once its health answers.
 * A process that does not come up in time is killed, so no orphan outlives a failed start.
 */
export async function spawnRegistry(
  opts: SpawnOptions
): Promise<RegistryProcess> {
  const cli = opts.cli ?? CLI;
  if (!fs.existsSync(cli)) {
    throw new Error(
      `${cli} is missing: build the server first (make, or npm --prefix server run build)`
    );
  }
  const port = opts.port ?? 0;
  if (port !== 0 && (await portAnswers(port))) {
    throw new Error(
      `something already answers on 127.0.0.1:${port}; refusing to start a registry there (stop it or pick another port)`
    );
  }
  // The log may hold earlier runs (a restart on the same file): only what this process writes counts.
  const logStart =
    opts.logFile && fs.existsSync(opts.logFile)
      ? fs.statSync(opts.logFile).size
      : 0;
  const log = opts.logFile ? fs.openSync(opts.logFile, 'a') : null;
  const args = [
    'serve',
    '--port',
    String(port),
    '--data-dir',
    opts.dataDir,
    '--log-level',
    opts.logLevel ?? 'info',
    ...(opts.args ?? [])
  ];
  const proc = spawn(
    process.execPath,
    [...(opts.nodeArgs ?? []), cli, ...args],
    {
      env: { ...process.env, ...opts.env },
      stdio: log === null ? ['ignore', 'pipe', 'pipe'] : ['ignore', log, log]
    }
  );
  if (log !== null) {
    fs.closeSync(log);
  }
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      return;
    }
    const exited = new Promise(r => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  };
  // Only the tail of the output is kept in memory: it is for explaining a failed start.
  let output = '';
  proc.stdout?.on(
    'data',
    (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000))
  );
  proc.stderr?.on(
    'data',
    (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000))
  );
  const logText = () =>
    opts.logFile
      ? fs
          .readFileSync(opts.logFile)
          .subarray(logStart)
          .toString('utf8')
          .slice(-20_000)
      : output;
  // Generous: on a shared, loaded machine Node can take over a minute to answer its first request.
  const timeoutMs = opts.startTimeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  try {
    let url: string | null = null;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(
          `the registry exited with ${proc.exitCode ?? proc.signalCode}:\n${logText()}`
        );
      }
      url ??=
        /listening at (http:\/\/127\.0\.0\.1:\d+)/i.exec(logText())?.[1] ??
        null;
      if (url && (await healthy(url))) {
        return { url, proc, stop };
      }
      if (Date.now() > deadline) {
        throw new Error(
          `the registry did not answer /api/v1/health in ${timeoutMs / 1000} s:\n${logText()}`
        );
      }
      await new Promise(r => setTimeout(r, 50));
    }
  } catch (err) {
    await stop();
    throw err;
  }
}
