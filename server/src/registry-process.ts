import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** A registry started as its own process (`cli.js serve`), as users run it; for tests and the benchmark. */
export interface RegistryProcess {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  dataDir: string;
  /** Added to this process's environment (MODELREG_* settings). */
  env?: NodeJS.ProcessEnv;
  /** V8 flags placed before the script, e.g. the --max-semi-space-size that `npm start` uses. */
  nodeArgs?: string[];
  /** The compiled CLI; defaults to the cli.js next to this file in dist/. */
  cli?: string;
  startTimeoutMs?: number;
}

/**
 * Starts `cli.js serve --port 0` and resolves with its URL once it logs "listening at".
 * A process that does not come up in time is killed, so no orphan outlives a failed start.
 */
export async function spawnRegistry(
  opts: SpawnOptions
): Promise<RegistryProcess> {
  const cli = opts.cli ?? path.join(__dirname, 'cli.js');
  const proc = spawn(
    process.execPath,
    [
      ...(opts.nodeArgs ?? []),
      cli,
      'serve',
      '--port',
      '0',
      '--data-dir',
      opts.dataDir,
      '--log-level',
      'info'
    ],
    {
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe']
    }
  );
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      return;
    }
    const exited = new Promise(r => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  };
  // Only the tail of the log is kept: it is for explaining a failed start.
  let output = '';
  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-20_000);
        const m = /listening at (http:\/\/127\.0\.0\.1:\d+)/i.exec(output);
        if (m) {
          resolve(m[1]);
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.once('exit', code =>
        reject(new Error(`the registry exited with ${code}:\n${output}`))
      );
      setTimeout(
        () =>
          reject(
            new Error(
              `the registry did not start in ${timeoutMs / 1000} s:\n${output}`
            )
          ),
        timeoutMs
      ).unref();
    });
    return { url, proc, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
