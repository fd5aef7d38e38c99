import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveJson } from '../helpers/api';
import { parseTrustProxy } from '../../src/config';
import {
  dropStorage,
  launch,
  newStorage,
  type RunningServer,
  type Storage
} from './process';

const LIMIT = 3;

/**
 * A reverse proxy as nginx is configured in docs/deploy.md: it forwards to the registry from
 * 127.0.0.1 and appends the client's address to X-Forwarded-For ($proxy_add_x_forwarded_for).
 */
async function startProxy(
  target: string
): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const forwarded = [req.headers['x-forwarded-for'], req.socket.remoteAddress]
      .filter(Boolean)
      .join(', ');
    const out = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        localAddress: '127.0.0.1',
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'x-forwarded-for': forwarded }
      },
      answer => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      }
    );
    out.on('error', err => res.destroy(err));
    req.pipe(out);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise(r => {
        server.closeAllConnections();
        server.close(() => r());
      })
  };
}

/** GET /api/v1/user with a wrong token from `from` (a loopback address of its own: one client). */
function badToken(
  url: string,
  from: string,
  headers: Record<string, string> = {}
): Promise<{ status: number; body: any }> {
  const u = new URL(`${url}/api/v1/user`);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        localAddress: from,
        agent: false,
        headers: { authorization: 'Bearer mr_wrong_token', ...headers }
      },
      resolveJson(resolve, reject)
    );
    req.on('error', reject);
    req.end();
  });
}

/** The server's log once it has a line for each of `requests` GET /user (written after each answer), or after 30 s. */
async function logOf(server: RunningServer, requests: number): Promise<string> {
  let log = '';
  for (let i = 0; i < 300; i++) {
    log = fs.readFileSync(server.logFile, 'utf8');
    if (log.split('"url":"/api/v1/user"').length - 1 >= requests) {
      break;
    }
    await new Promise(r => setTimeout(r, 100));
  }
  return log;
}

async function failUntilLimited(url: string, from: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i <= LIMIT; i++) {
    statuses.push((await badToken(url, from)).status);
  }
  return statuses;
}

describe('MODELREG_TRUST_PROXY: the client address behind a reverse proxy', () => {
  const running: { server: RunningServer; storage: Storage }[] = [];
  const start = async (env: NodeJS.ProcessEnv) => {
    const storage = newStorage('sqlite');
    const server = await launch(storage, {
      args: ['--auth-failure-limit', String(LIMIT)],
      env
    });
    running.push({ server, storage });
    return server;
  };
  afterAll(async () => {
    for (const { server, storage } of running) {
      await server.stop();
      await dropStorage(storage);
    }
  });

  it('throttles two clients behind one trusted proxy separately and logs each address', async () => {
    const server = await start({ MODELREG_TRUST_PROXY: '127.0.0.1' });
    const proxy = await startProxy(server.url);
    try {
      expect(await failUntilLimited(proxy.url, '127.0.0.2')).toEqual([
        401, 401, 401, 429
      ]);
      const limited = await badToken(proxy.url, '127.0.0.2');
      expect(limited.body.error.code).toBe('RATE_LIMITED');
      expect(limited.body.error.message).toContain('from 127.0.0.2;');
      // A forged X-Forwarded-For does not get the client out: the proxy appends the real address.
      expect(
        (
          await badToken(proxy.url, '127.0.0.2', {
            'x-forwarded-for': '198.51.100.7'
          })
        ).status
      ).toBe(429);
      // The neighbour behind the same proxy is not throttled for it.
      expect((await badToken(proxy.url, '127.0.0.3')).status).toBe(401);
    } finally {
      await proxy.close();
    }
    const log = await logOf(server, LIMIT + 4);
    expect(log).toContain('"ip":"127.0.0.2"');
    expect(log).toContain('"ip":"127.0.0.3"');
    expect(log).not.toContain('"ip":"198.51.100.7"');
  }, 120_000);

  it('ignores X-Forwarded-For without the setting: everyone behind the proxy is one address', async () => {
    const server = await start({ MODELREG_TRUST_PROXY: '' });
    const proxy = await startProxy(server.url);
    try {
      expect(await failUntilLimited(proxy.url, '127.0.0.2')).toEqual([
        401, 401, 401, 429
      ]);
      const neighbour = await badToken(proxy.url, '127.0.0.3');
      expect(neighbour.status).toBe(429);
      expect(neighbour.body.error.message).toContain('from 127.0.0.1;');
      // Nor can a client name its own address straight to the registry.
      const forged = await badToken(server.url, '127.0.0.1', {
        'x-forwarded-for': '203.0.113.9'
      });
      expect(forged.status).toBe(429);
    } finally {
      await proxy.close();
    }
    const log = await logOf(server, LIMIT + 3);
    expect(log).toContain('"ip":"127.0.0.1","status":429');
    expect(log).not.toContain('"ip":"127.0.0.2"');
    expect(log).not.toContain('"ip":"203.0.113.9"');
  }, 120_000);

  it('reads the setting as false, true or a list of addresses and CIDRs, and refuses anything else', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy('off')).toBe(false);
    expect(parseTrustProxy('true')).toBe(true);
    expect(parseTrustProxy('10.0.0.5, 10.1.0.0/16,fd00::/8,loopback')).toEqual([
      '10.0.0.5',
      '10.1.0.0/16',
      'fd00::/8',
      'loopback'
    ]);
    for (const bad of ['10.0.0.0/33', 'proxy.internal', '10.0.0.1/8/2']) {
      expect(() => parseTrustProxy(bad)).toThrow(/MODELREG_TRUST_PROXY/);
    }
  });
});
