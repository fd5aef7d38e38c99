import http from 'node:http';
import type { TestServer } from './server';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** Thin fetch wrapper: JSON in, JSON (or text) out, optional bearer token. */
export async function api<T = any>(
  server: TestServer,
  method: string,
  path: string,
  opts: {
    token?: string | null;
    json?: unknown;
    body?: BodyInit;
    headers?: Record<string, string>;
  } = {}
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  const token = opts.token === undefined ? server.adminToken : opts.token;
  if (token) {
    headers.authorization = `Bearer ${token}`;
  }
  let body = opts.body;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  const res = await fetch(server.url + '/api/v1' + path, {
    method,
    headers,
    body
  });
  const text = await res.text();
  let parsed: unknown = text;
  if (
    (res.headers.get('content-type') ?? '').includes('application/json') &&
    text
  ) {
    parsed = JSON.parse(text);
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

export async function download(
  server: TestServer,
  path: string,
  headers: Record<string, string> = {},
  token: string | null = server.adminToken
) {
  const res = await fetch(server.url + '/api/v1' + path, {
    headers: {
      ...headers,
      ...(token ? { authorization: `Bearer ${token}` } : {})
    }
  });
  return {
    status: res.status,
    headers: res.headers,
    bytes: Buffer.from(await res.arrayBuffer())
  };
}

/** PUTs `bytes` through one process and expects the same bytes back from another (or the same). */
export async function expectStoredAndReadBack(
  putVia: TestServer,
  getVia: TestServer,
  path: string,
  bytes: Buffer
): Promise<void> {
  const put = await api(putVia, 'PUT', path, { body: bytes });
  expect(put.status).toBe(201);
  const got = await download(getVia, path);
  expect(got.status).toBe(200);
  expect(got.bytes.equals(bytes)).toBe(true);
}

/** A request whose path is sent byte for byte (fetch would normalise "..", "%2e%2e", "//"). */
export function rawRequest(
  server: TestServer,
  method: string,
  rawPath: string,
  body?: Buffer
): Promise<{ status: number; body: any }> {
  const u = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        method,
        path: rawPath,
        headers: {
          authorization: `Bearer ${server.adminToken}`,
          'content-length': body?.length ?? 0
        }
      },
      res => {
        let data = '';
        res.on('data', c => (data += c));
        res.on('end', () => {
          let parsed: unknown = data;
          try {
            parsed = JSON.parse(data);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode!, body: parsed });
        });
      }
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** For a raw `http.request`'s response callback: resolves with the status and the JSON body. */
export function resolveJson(
  resolve: (r: { status: number; body: any }) => void,
  reject: (err: unknown) => void
): (res: http.IncomingMessage) => void {
  return res => {
    let text = '';
    res.on('data', c => (text += c));
    res.on('end', () => {
      try {
        resolve({ status: res.statusCode!, body: JSON.parse(text) });
      } catch (err) {
        reject(err);
      }
    });
  };
}

let counter = 0;
/** Unique names per test run, so suites sharing a server do not collide. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${counter}${Math.random().toString(36).slice(2, 6)}`;
}

/** A group with one model, owned by the admin. */
export async function setupModel(
  server: TestServer,
  visibility: 'private' | 'public' = 'private'
) {
  const group = unique('g');
  const model = unique('m');
  expect(
    (
      await api(server, 'POST', '/groups', {
        json: { name: group, visibility }
      })
    ).status
  ).toBe(201);
  expect(
    (await api(server, 'POST', `/models/${group}`, { json: { name: model } }))
      .status
  ).toBe(201);
  return { group, model, base: `/models/${group}/${model}` };
}
