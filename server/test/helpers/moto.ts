import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

/**
 * A real S3-protocol server for the tests: moto's server mode (`moto_server` from the venv that
 * `make` installs from requirements-dev.txt) on a free loopback port, stopped after the suite.
 */
export const MOTO_SERVER =
  process.env.MODELREG_TEST_MOTO_SERVER ??
  path.resolve(__dirname, '..', '..', '..', '.venv', 'bin', 'moto_server');

export const motoAvailable = () => fs.existsSync(MOTO_SERVER);

export interface Moto {
  endpoint: string;
  proc: ChildProcess;
  client: S3Client;
  /** A new empty bucket; its name is random. */
  bucket(): Promise<string>;
  /** What a registry process needs in its environment to use `s3://bucket/prefix`. */
  env(bucket: string, prefix?: string): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export const MOTO_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'modelreg-test',
  AWS_SECRET_ACCESS_KEY: 'modelreg-test-secret',
  AWS_REGION: 'us-east-1'
};

export async function startMoto(): Promise<Moto> {
  const proc = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let output = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`moto_server did not start in 30 s:\n${output}`)),
      30_000
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', code => {
      clearTimeout(timer);
      reject(new Error(`moto_server exited with ${code}:\n${output}`));
    });
  });
  // Keep draining its request log so the pipe never fills; MODELREG_TEST_MOTO_LOG keeps it in a file
  // (moto's tracebacks say why a request got a 500).
  const keep = process.env.MODELREG_TEST_MOTO_LOG;
  if (keep) {
    const file = fs.createWriteStream(keep, { flags: 'a' });
    proc.stdout!.pipe(file);
    proc.stderr!.pipe(file);
  } else {
    proc.stdout!.resume();
    proc.stderr!.resume();
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: MOTO_CREDENTIALS.AWS_REGION,
    credentials: {
      accessKeyId: MOTO_CREDENTIALS.AWS_ACCESS_KEY_ID,
      secretAccessKey: MOTO_CREDENTIALS.AWS_SECRET_ACCESS_KEY
    }
  });
  return {
    endpoint,
    proc,
    client,
    async bucket() {
      const name = `mr-test-${crypto.randomBytes(6).toString('hex')}`;
      await client.send(new CreateBucketCommand({ Bucket: name }));
      return name;
    },
    env(bucket, prefix = 'registry') {
      return {
        ...MOTO_CREDENTIALS,
        AWS_ENDPOINT_URL: endpoint,
        MODELREG_BLOB_URL: `s3://${bucket}/${prefix}`
      };
    },
    async stop() {
      client.destroy();
      if (proc.exitCode !== null || proc.signalCode !== null) {
        return;
      }
      const exited = new Promise(r => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
  };
}

/** describe() that needs moto; skipped with a visible message when the venv has no moto_server. */
export function describeWithMoto(name: string, body: () => void): void {
  if (!motoAvailable()) {
    console.warn(
      `SKIPPED: ${MOTO_SERVER} is missing (pip install -r requirements-dev.txt); "${name}" does not run`
    );
  }
  (motoAvailable() ? describe : describe.skip)(name, body);
}
