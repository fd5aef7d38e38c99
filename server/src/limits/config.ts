/**
 * Request limits and timeouts. Each has a CLI flag (--max-json-bytes 1048576) and an environment
 * variable (MODELREG_MAX_JSON_BYTES); the flag wins. 0 means "no limit" where noted.
 */
export interface Limits {
  /** JSON request bodies (413 PAYLOAD_TOO_LARGE above it). */
  maxJsonBytes: number;
  /** Nesting depth of JSON bodies (400 VALIDATION_ERROR above it). */
  maxJsonDepth: number;
  /** Object keys in one JSON body, counted before parsing (413 PAYLOAD_TOO_LARGE above it). */
  maxJsonKeys: number;
  /** One artifact upload (413 PAYLOAD_TOO_LARGE above it); 0 = unlimited. */
  maxArtifactBytes: number;
  /** Metrics in one batch or one candidate creation (413 above it). */
  maxMetricsPerBatch: number;
  /** Time to receive a request's headers (slowloris), ms. */
  headersTimeoutMs: number;
  /** A socket with no traffic in either direction is closed after this, ms. */
  idleTimeoutMs: number;
  /** An idle keep-alive connection is closed after this, ms. */
  keepAliveTimeoutMs: number;
  /** Whole request including body, ms; 0 = none (multi-GB uploads take long). */
  requestTimeoutMs: number;
  /** Open connections at once; 0 = unlimited. */
  maxConnections: number;
  /** Failed authentications from one address per window before 429 RATE_LIMITED; 0 = off. */
  authFailureLimit: number;
  authFailureWindowMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxJsonBytes: 16 * 1024 * 1024,
  maxJsonDepth: 64,
  maxJsonKeys: 100_000,
  maxArtifactBytes: 0,
  maxMetricsPerBatch: 10_000,
  headersTimeoutMs: 30_000,
  idleTimeoutMs: 120_000,
  keepAliveTimeoutMs: 65_000,
  requestTimeoutMs: 0,
  maxConnections: 0,
  authFailureLimit: 20,
  authFailureWindowMs: 60_000
};

/** flag name (without --) -> field; the environment variable is MODELREG_ + upper snake case. */
const FLAGS: Record<string, keyof Limits> = {
  'max-json-bytes': 'maxJsonBytes',
  'max-json-depth': 'maxJsonDepth',
  'max-json-keys': 'maxJsonKeys',
  'max-artifact-bytes': 'maxArtifactBytes',
  'max-metrics-per-batch': 'maxMetricsPerBatch',
  'headers-timeout-ms': 'headersTimeoutMs',
  'idle-timeout-ms': 'idleTimeoutMs',
  'keep-alive-timeout-ms': 'keepAliveTimeoutMs',
  'request-timeout-ms': 'requestTimeoutMs',
  'max-connections': 'maxConnections',
  'auth-failure-limit': 'authFailureLimit',
  'auth-failure-window-ms': 'authFailureWindowMs'
};

export const LIMIT_FLAGS = Object.keys(FLAGS);

export const LIMITS_USAGE = `Limits (flag or MODELREG_<FLAG> in the environment; 0 = off where it makes sense):
  ${LIMIT_FLAGS.map(f => `--${f} (default ${DEFAULT_LIMITS[FLAGS[f]]})`).join('\n  ')}`;

const envName = (flag: string) =>
  'MODELREG_' + flag.toUpperCase().replace(/-/g, '_');

export function parseLimits(
  opts: Record<string, string>,
  env: NodeJS.ProcessEnv
): Limits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [flag, field] of Object.entries(FLAGS)) {
    const raw = opts[flag] ?? env[envName(flag)];
    if (raw === undefined || raw === '') {
      continue;
    }
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) {
      throw new Error(
        `--${flag} (${envName(flag)}) must be a whole number >= 0, got "${raw}"`
      );
    }
    limits[field] = n;
  }
  if (limits.maxJsonBytes === 0) {
    throw new Error(
      '--max-json-bytes must be > 0: JSON bodies are read into memory'
    );
  }
  return limits;
}
