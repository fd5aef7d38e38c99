/** Webhook delivery settings, read from the environment once (server/src/config.ts). */
export interface WebhookConfig {
  /** Deliver to private, loopback and link-local addresses too (MODELREG_WEBHOOKS_ALLOW_PRIVATE=true). */
  allowPrivate: boolean;
  /** How often each process looks for due deliveries. */
  pollMs: number;
  /** First retry delay; each further retry doubles it, capped at maxDelayMs. */
  retryBaseMs: number;
  maxDelayMs: number;
  /** A delivery that keeps failing is given up this long after its event. */
  maxAgeMs: number;
  /** Per attempt: connect + response. */
  timeoutMs: number;
}

export const DEFAULT_WEBHOOKS: WebhookConfig = {
  allowPrivate: false,
  pollMs: 1000,
  retryBaseMs: 10_000,
  maxDelayMs: 3_600_000,
  maxAgeMs: 86_400_000,
  timeoutMs: 10_000
};

function positive(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    throw new Error(
      `${name} must be a positive number of milliseconds, got "${raw}"`
    );
  }
  return n;
}

export function parseWebhookConfig(env: NodeJS.ProcessEnv): WebhookConfig {
  const allow = (env.MODELREG_WEBHOOKS_ALLOW_PRIVATE ?? '').toLowerCase();
  if (allow && !['true', 'false', '1', '0'].includes(allow)) {
    throw new Error(
      `MODELREG_WEBHOOKS_ALLOW_PRIVATE must be true or false, got "${env.MODELREG_WEBHOOKS_ALLOW_PRIVATE}"`
    );
  }
  return {
    allowPrivate: allow === 'true' || allow === '1',
    pollMs: positive(env, 'MODELREG_WEBHOOKS_POLL_MS', DEFAULT_WEBHOOKS.pollMs),
    retryBaseMs: positive(
      env,
      'MODELREG_WEBHOOKS_RETRY_BASE_MS',
      DEFAULT_WEBHOOKS.retryBaseMs
    ),
    maxDelayMs: positive(
      env,
      'MODELREG_WEBHOOKS_MAX_DELAY_MS',
      DEFAULT_WEBHOOKS.maxDelayMs
    ),
    maxAgeMs: positive(
      env,
      'MODELREG_WEBHOOKS_MAX_AGE_MS',
      DEFAULT_WEBHOOKS.maxAgeMs
    ),
    timeoutMs: positive(
      env,
      'MODELREG_WEBHOOKS_TIMEOUT_MS',
      DEFAULT_WEBHOOKS.timeoutMs
    )
  };
}

export const WEBHOOKS_USAGE = `Webhooks: MODELREG_WEBHOOKS_ALLOW_PRIVATE=true (deliver to private/loopback addresses),
MODELREG_WEBHOOKS_RETRY_BASE_MS (10000), MODELREG_WEBHOOKS_MAX_DELAY_MS (3600000), MODELREG_WEBHOOKS_MAX_AGE_MS (86400000),
MODELREG_WEBHOOKS_TIMEOUT_MS (10000), MODELREG_WEBHOOKS_POLL_MS (1000).`;
