/**
 * Counts failed authentications per client address in fixed windows. Past the limit, further
 * attempts from that address get 429 until the window ends: guessing tokens becomes slow
 * while a user who mistyped once is not bothered.
 */
export class AuthThrottle {
  private readonly failures = new Map<
    string,
    { count: number; resetAt: number }
  >();
  /** Bounds memory when many addresses fail; the oldest entries go first. */
  private static readonly MAX_ADDRESSES = 10_000;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now
  ) {}

  get enabled(): boolean {
    return this.limit > 0;
  }

  /** Seconds until `address` may try again, or 0 when it may try now. */
  retryAfter(address: string): number {
    const entry = this.failures.get(address);
    if (!entry || !this.enabled) {
      return 0;
    }
    const t = this.now();
    if (t >= entry.resetAt) {
      this.failures.delete(address);
      return 0;
    }
    return entry.count >= this.limit
      ? Math.ceil((entry.resetAt - t) / 1000)
      : 0;
  }

  recordFailure(address: string): void {
    if (!this.enabled) {
      return;
    }
    const t = this.now();
    const entry = this.failures.get(address);
    if (entry && t < entry.resetAt) {
      entry.count += 1;
      return;
    }
    if (entry) {
      this.failures.delete(address);
    }
    if (this.failures.size >= AuthThrottle.MAX_ADDRESSES) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) {
        this.failures.delete(oldest);
      }
    }
    this.failures.set(address, { count: 1, resetAt: t + this.windowMs });
  }
}
