import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { api, setupModel } from '../helpers/api';
import {
  dropStorage,
  launch,
  newStorage,
  type RunningServer,
  type Storage
} from './process';

const FLAGS = [
  '--max-json-bytes',
  '2048',
  '--max-json-depth',
  '8',
  '--max-artifact-bytes',
  '100000',
  '--max-metrics-per-batch',
  '5',
  '--headers-timeout-ms',
  '1000',
  '--idle-timeout-ms',
  '1500',
  '--keep-alive-timeout-ms',
  '800',
  '--auth-failure-limit',
  '5',
  '--auth-failure-window-ms',
  '60000'
];

/** Resolves with how long the server took to close a socket that `behave` keeps busy or idle. */
function timeUntilClosed(
  server: RunningServer,
  behave: (s: net.Socket) => void
): Promise<number> {
  const u = new URL(server.url);
  const started = Date.now();
  return new Promise(resolve => {
    const s = net.connect(Number(u.port), u.hostname, () => behave(s));
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    s.on('close', () => resolve(Date.now() - started));
  });
}

describe('limits and timeouts [sqlite]', () => {
  let storage: Storage;
  let server: RunningServer;
  let base: string;
  const seenTokens: string[] = [];
  beforeAll(async () => {
    storage = newStorage('sqlite');
    server = await launch(storage, { args: FLAGS, logLevel: 'debug' });
    seenTokens.push(server.adminToken);
    base = (await setupModel(server)).base;
    expect(
      (await api(server, 'POST', `${base}/candidates`, { json: {} })).status
    ).toBe(201);
  });
  afterAll(async () => {
    await server.stop();
    await dropStorage(storage);
  });

  it('refuses JSON bodies over --max-json-bytes with 413', async () => {
    const r = await api(server, 'PATCH', base, {
      json: { description: 'x'.repeat(4000) }
    });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses JSON nested deeper than --max-json-depth with 400', async () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 12; i++) {
      deep = { k: deep };
    }
    const r = await api(server, 'PATCH', base, {
      json: { metadata: { extra: deep } }
    });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/nested deeper than 8/);
    // Far deeper than any stack: still a clean 400 (413 here, from the byte limit, would hide the check).
    const raw = '['.repeat(900) + ']'.repeat(900);
    const res = await fetch(
      `${server.url}/api/v1${base}/candidates/1/metrics`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${server.adminToken}`,
          'content-type': 'application/json'
        },
        body: raw
      }
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.message).toMatch(
      /nested deeper than 8/
    );
  });

  it('refuses more than --max-metrics-per-batch metrics in one batch or one new candidate', async () => {
    const metrics = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ key: 'loss', value: i, step: i }));
    expect(
      (
        await api(server, 'POST', `${base}/candidates/1/metrics`, {
          json: metrics(5)
        })
      ).status
    ).toBe(201);
    const over = await api(server, 'POST', `${base}/candidates/1/metrics`, {
      json: metrics(6)
    });
    expect(over.status).toBe(413);
    expect(over.body.error.message).toMatch(
      /6 metrics in one request; the limit is 5/
    );
    expect(
      (
        await api(server, 'POST', `${base}/candidates`, {
          json: { metrics: metrics(6) }
        })
      ).status
    ).toBe(413);
  });

  it('refuses artifacts over --max-artifact-bytes, announced or streamed, and keeps nothing', async () => {
    const url = `${base}/candidates/1/artifacts`;
    expect(
      (
        await api(server, 'PUT', `${url}/ok.bin`, {
          body: crypto.randomBytes(100_000)
        })
      ).status
    ).toBe(201);
    const announced = await api(server, 'PUT', `${url}/big.bin`, {
      body: crypto.randomBytes(100_001)
    });
    expect(announced.status).toBe(413);
    expect(announced.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    // Chunked: no Content-Length, so the limit is found while streaming.
    const u = new URL(server.url);
    const streamed = await new Promise<{ status: number; body: string }>(
      (resolve, reject) => {
        const req = http.request(
          {
            host: u.hostname,
            port: u.port,
            method: 'PUT',
            path: `/api/v1${url}/chunked.bin`,
            headers: {
              authorization: `Bearer ${server.adminToken}`,
              'transfer-encoding': 'chunked'
            }
          },
          res => {
            let body = '';
            res.on('data', c => (body += c));
            res.on('end', () => resolve({ status: res.statusCode!, body }));
          }
        );
        req.on('error', reject);
        for (let i = 0; i < 10; i++) {
          req.write(crypto.randomBytes(30_000));
        }
        req.end();
      }
    );
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body).error.code).toBe('PAYLOAD_TOO_LARGE');
    const manifest = (await api(server, 'GET', url)).body.items.map(
      (f: { path: string }) => f.path
    );
    expect(manifest).toEqual(['ok.bin']);
    expect(fs.readdirSync(path.join(storage.dataDir, 'blobs', 'tmp'))).toEqual(
      []
    );
  });

  it('closes connections whose headers trickle in past --headers-timeout-ms', async () => {
    const ms = await timeUntilClosed(server, s => {
      s.write('GET /api/v1/health HTTP/1.1\r\nHost: x\r\n');
      const t = setInterval(
        () => (s.writable ? s.write('X-Slow: 1\r\n') : clearInterval(t)),
        200
      );
      s.on('close', () => clearInterval(t));
    });
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(5000);
  });

  it('closes silent connections after --idle-timeout-ms and idle keep-alive ones after --keep-alive-timeout-ms', async () => {
    const silent = await timeUntilClosed(server, () => undefined);
    expect(silent).toBeGreaterThanOrEqual(900);
    expect(silent).toBeLessThan(5000);
    const kept = await timeUntilClosed(server, s =>
      s.write('GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n')
    );
    expect(kept).toBeGreaterThanOrEqual(700);
    expect(kept).toBeLessThan(4000);
  });

  it('never writes tokens to the log, even at debug level and for failed attempts', async () => {
    const me = await api(server, 'POST', '/users', {
      json: { username: 'tokenuser' }
    });
    expect(me.status).toBe(201);
    const made = await api(server, 'POST', '/users/tokenuser/tokens', {
      json: { name: 'ci' }
    });
    expect(made.status).toBe(201);
    seenTokens.push(made.body.token);
    expect(
      (await api(server, 'GET', '/user', { token: made.body.token })).status
    ).toBe(200);
    const wrong = 'mr_' + crypto.randomBytes(24).toString('hex');
    seenTokens.push(wrong);
    expect((await api(server, 'GET', '/user', { token: wrong })).status).toBe(
      401
    );
    await new Promise(r => setTimeout(r, 200));
    const log = fs.readFileSync(server.logFile, 'utf8');
    expect(log).toMatch(/"url":"\/api\/v1\/user"/);
    for (const t of seenTokens) {
      expect(log.includes(t)).toBe(false);
    }
    // Stored as digests only.
    const Database = require('better-sqlite3');
    const db = new Database(path.join(storage.dataDir, 'registry.sqlite'), {
      readonly: true
    });
    const dump = JSON.stringify(db.prepare('select * from tokens').all());
    db.close();
    for (const t of seenTokens) {
      expect(dump.includes(t)).toBe(false);
    }
  });

  // Last: it throttles this whole address.
  it('answers 429 RATE_LIMITED with Retry-After to bad tokens after --auth-failure-limit failures from one address, never to valid ones', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push(
        (await api(server, 'GET', '/user', { token: `mr_wrong${i}` })).status
      );
    }
    // One failure was already spent by the logging test.
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    const limited = await api(server, 'GET', '/user', {
      token: 'mr_wrong_again'
    });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Only failures are throttled: a valid token from the same address (the Jupyter proxy, every
    // local client and the admin share 127.0.0.1) still works; guessing 192-bit tokens is hopeless anyway.
    expect((await api(server, 'GET', '/user')).status).toBe(200);
    expect(
      (await api(server, 'GET', '/user', { token: 'mr_wrong_3' })).status
    ).toBe(429);
    expect((await api(server, 'GET', '/health', { token: null })).status).toBe(
      200
    );
  });
});
