import net from 'node:net';
import path from 'node:path';
import { LIMIT_FLAGS, parseLimits, type Limits } from './limits/config';
import { parseWebhookConfig, type WebhookConfig } from './outbox/config';
import { parseBlobSettings, type BlobSettings } from './blobs/open';

/** Everything the server reads from the command line and the environment, in one place. */
export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  databaseSchema: string | null;
  adminToken: string | null;
  /** MODELREG_BLOB_URL and the direct-transfer settings (blobs/open.ts). */
  blobs: BlobSettings;
  /** MODELREG_SHUTDOWN_GRACE_SECONDS: how long in-flight requests may run after SIGTERM. */
  shutdownGraceSeconds: number;
  /** MODELREG_METRICS_TOKEN: when set, GET /metrics needs it as a bearer token. */
  metricsToken: string | null;
  /** MODELREG_SIGNING_KEY_FILE: the Ed25519 key that signs versions (default <data dir>/signing-key.pem). */
  signingKeyFile: string | null;
  /** MODELREG_CANDIDATE_LEASE_SECONDS: how long a heartbeat keeps a running candidate open. */
  candidateLeaseSeconds: number;
  /**
   * MODELREG_TRUST_PROXY: whose X-Forwarded-For to believe (Fastify's trustProxy): false (the
   * default: the socket's address is the client's), true (any hop), or proxy addresses/CIDRs.
   */
  trustProxy: TrustProxy;
  logLevel: string;
  limits: Limits;
  webhooks: WebhookConfig;
}

export const SERVER_VERSION = '0.1.0';

export type TrustProxy = boolean | string[];

/**
 * npm runs scripts with cwd = server/, so a relative --data-dir given at the repository root
 * is resolved against INIT_CWD (the directory npm was started from).
 */
function resolveDataDir(dir: string, env: NodeJS.ProcessEnv): string {
  if (path.isAbsolute(dir)) {
    return dir;
  }
  return path.resolve(env.INIT_CWD || process.cwd(), dir);
}

export function parseServeArgs(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env
): ServerConfig {
  const opts: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) {
      throw new Error(`unexpected argument "${arg}"; try --help`);
    }
    if (m[2] !== undefined) {
      opts[m[1]] = m[2];
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      opts[m[1]] = argv[++i];
    } else {
      opts[m[1]] = 'true';
    }
  }
  const known = new Set([
    'port',
    'host',
    'data-dir',
    'log-level',
    ...LIMIT_FLAGS
  ]);
  for (const k of Object.keys(opts)) {
    if (!known.has(k)) {
      throw new Error(`unknown option --${k}; try --help`);
    }
  }
  const port = Number(opts.port ?? env.MODELREG_PORT ?? 8765);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be 0-65535, got "${opts.port}"`);
  }
  return {
    port,
    host: opts.host ?? env.MODELREG_HOST ?? '127.0.0.1',
    dataDir: resolveDataDir(
      opts['data-dir'] ?? env.MODELREG_DATA_DIR ?? './.modelreg',
      env
    ),
    databaseUrl: env.MODELREG_DATABASE_URL || null,
    databaseSchema: env.MODELREG_DATABASE_SCHEMA || null,
    adminToken: env.MODELREG_ADMIN_TOKEN || null,
    logLevel: opts['log-level'] ?? env.MODELREG_LOG_LEVEL ?? 'info',
    limits: parseLimits(opts, env),
    webhooks: parseWebhookConfig(env),
    blobs: parseBlobSettings(env),
    signingKeyFile: env.MODELREG_SIGNING_KEY_FILE
      ? resolveDataDir(env.MODELREG_SIGNING_KEY_FILE, env)
      : null,
    shutdownGraceSeconds: secondsSetting(
      env,
      'MODELREG_SHUTDOWN_GRACE_SECONDS',
      30,
      0
    ),
    metricsToken: env.MODELREG_METRICS_TOKEN || null,
    trustProxy: parseTrustProxy(env.MODELREG_TRUST_PROXY),
    candidateLeaseSeconds: secondsSetting(
      env,
      'MODELREG_CANDIDATE_LEASE_SECONDS',
      300,
      1
    )
  };
}

/** A number-of-seconds setting: `fallback` when unset, refused below `min`. */
function secondsSetting(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number
): number {
  const raw = env[name];
  const n = Number(raw ?? fallback);
  if (!Number.isFinite(n) || n < min) {
    throw new Error(
      `${name} must be a number of seconds >= ${min}, got "${raw}"`
    );
  }
  return n;
}

/** proxy-addr's names for address ranges, accepted beside addresses and CIDRs. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * MODELREG_TRUST_PROXY: unset/false, true, or a comma-separated list of the reverse proxies'
 * addresses or CIDRs. A wrong entry stops the start: a typo would otherwise throttle every
 * client behind the proxy as one address, or believe forged X-Forwarded-For headers.
 */
export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const v = raw?.trim() ?? '';
  if (['', '0', 'false', 'no', 'off'].includes(v.toLowerCase())) {
    return false;
  }
  if (['1', 'true', 'yes', 'on'].includes(v.toLowerCase())) {
    return true;
  }
  const entries = v
    .split(',')
    .map(e => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = net.isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    const okBits =
      bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (
      !RANGE_NAMES.has(entry) &&
      (family === 0 || !okBits || extra !== undefined)
    ) {
      throw new Error(
        `MODELREG_TRUST_PROXY must be true, false or a comma-separated list of the proxies' addresses or CIDRs (e.g. "10.0.0.5,10.1.0.0/16", or loopback), got "${raw}" ("${entry}" is none of those)`
      );
    }
  }
  return entries;
}
