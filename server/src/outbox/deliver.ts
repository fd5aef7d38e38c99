import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { guardedLookup, isPrivateAddress, RefusedTarget } from './address';

export interface Attempt {
  ok: boolean;
  status: number | null;
  error: string | null;
}

/** `sha256=<hex>` of HMAC-SHA256 over "<timestamp>.<raw body>" with the webhook's secret. */
export function signature(
  secret: string,
  timestamp: string,
  body: string
): string {
  return (
    'sha256=' +
    crypto
      .createHmac('sha256', secret)
      .update(`${timestamp}.${body}`)
      .digest('hex')
  );
}

/**
 * One POST of one delivery. 2xx is success; anything else (a redirect too: they are never
 * followed) is a failure to retry. Private targets are refused unless allowed.
 */
export function postDelivery(
  target: string,
  headers: Record<string, string>,
  body: string,
  opts: { allowPrivate: boolean; timeoutMs: number }
): Promise<Attempt> {
  return new Promise(resolve => {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return resolve({
        ok: false,
        status: null,
        error: `not a URL: ${target}`
      });
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // A literal address is connected to without a lookup, so it is checked here.
    if (!opts.allowPrivate && net.isIP(host) && isPrivateAddress(host)) {
      return resolve({
        ok: false,
        status: null,
        error: `${host} is a private address; refused (MODELREG_WEBHOOKS_ALLOW_PRIVATE=true allows it)`
      });
    }
    const client =
      url.protocol === 'https:'
        ? https
        : url.protocol === 'http:'
          ? http
          : null;
    if (!client) {
      return resolve({
        ok: false,
        status: null,
        error: `only http(s) targets, got ${url.protocol}`
      });
    }
    let settled = false;
    const done = (a: Attempt) => {
      if (!settled) {
        settled = true;
        resolve(a);
      }
    };
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'modelreg-webhooks'
        },
        lookup: guardedLookup(opts.allowPrivate) as never,
        timeout: opts.timeoutMs
      },
      res => {
        const status = res.statusCode ?? 0;
        // Only the start of the answer is kept, for the deliveries list.
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          if (text.length < 500) {
            text += c;
          }
        });
        res.on('end', () => {
          if (status >= 200 && status < 300) {
            return done({ ok: true, status, error: null });
          }
          const why =
            status >= 300 && status < 400
              ? `redirect to ${res.headers.location ?? '?'} not followed`
              : `HTTP ${status}`;
          done({
            ok: false,
            status,
            error: `${why}${text ? `: ${text.slice(0, 200)}` : ''}`
          });
        });
        res.on('error', err => done({ ok: false, status, error: err.message }));
      }
    );
    // The whole attempt is bounded (a receiver dripping bytes cannot hold it), so a lease of a
    // little more than timeoutMs is never outlived by its attempt.
    const deadline = setTimeout(
      () =>
        req.destroy(
          new Error(`no complete answer within ${opts.timeoutMs} ms`)
        ),
      opts.timeoutMs
    );
    req.on('close', () => clearTimeout(deadline));
    req.on('timeout', () =>
      req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`))
    );
    req.on('error', err =>
      done({
        ok: false,
        status: null,
        error:
          err instanceof RefusedTarget
            ? err.message
            : `${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`.trim()
      })
    );
    req.end(body);
  });
}
