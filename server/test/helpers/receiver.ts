import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a webhook receiver got, with whether its signature matched the secret. */
export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
  signatureValid: boolean;
}

/**
 * A real HTTP server that receives webhook deliveries and checks X-Modelreg-Signature the way a
 * receiver should: HMAC-SHA256 of "<timestamp>.<raw body>", compared in constant time.
 */
export class Receiver {
  readonly received: Received[] = [];
  /** Status to answer with, per request (default 200). */
  respond: (req: http.IncomingMessage) => {
    status: number;
    headers?: Record<string, string>;
  } = () => ({ status: 200 });
  private server: http.Server | null = null;
  port = 0;

  constructor(private readonly secret: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async start(port = 0): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const expected =
          'sha256=' +
          crypto
            .createHmac('sha256', this.secret)
            .update(`${req.headers['x-modelreg-timestamp']}.${body}`)
            .digest('hex');
        const got = String(req.headers['x-modelreg-signature'] ?? '');
        const signatureValid =
          got.length === expected.length &&
          crypto.timingSafeEqual(Buffer.from(got), Buffer.from(expected));
        let json: unknown = null;
        try {
          json = JSON.parse(body);
        } catch {
          /* kept as text */
        }
        this.received.push({
          path: req.url ?? '',
          headers: req.headers,
          body,
          json,
          signatureValid
        });
        const answer = this.respond(req);
        res.writeHead(answer.status, answer.headers ?? {});
        res.end('ok');
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) {
      return;
    }
    s.closeAllConnections();
    await new Promise<void>(resolve => s.close(() => resolve()));
  }

  /** Requests for event `type`, of one group's models when `group` is given. */
  of(type: string, group?: string): Received[] {
    return this.received.filter(
      r =>
        r.headers['x-modelreg-event'] === type &&
        (group === undefined || r.json?.model?.group === group)
    );
  }

  /** Waits (bounded) until `count` requests for `type` (of `group`) arrived. */
  async waitFor(
    type: string,
    count = 1,
    group?: string,
    timeoutMs = 20_000
  ): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.of(type, group).length >= count) {
        return this.of(type, group);
      }
      await new Promise(r => setTimeout(r, 50));
    }
    throw new Error(
      `waited ${timeoutMs} ms for ${count} "${type}" deliveries; got ${this.of(type, group).length} (all: ${
        this.received.map(r => r.headers['x-modelreg-event']).join(', ') ||
        'none'
      })`
    );
  }
}
