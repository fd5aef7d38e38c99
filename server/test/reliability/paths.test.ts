import { api, rawRequest, setupModel } from '../helpers/api';
import {
  dropStorage,
  launch,
  newStorage,
  type RunningServer,
  type Storage
} from './process';

/**
 * Artifact path tricks, one test each, sent byte for byte. A refused path must be a 4xx that
 * stores nothing; an accepted one must be stored under exactly one literal name that cannot
 * alias another path.
 */
describe('artifact path tricks [sqlite]', () => {
  let storage: Storage;
  let server: RunningServer;
  let url: string;
  beforeAll(async () => {
    storage = newStorage('sqlite');
    server = await launch(storage);
    const { base } = await setupModel(server);
    await api(server, 'POST', `${base}/candidates`, { json: {} });
    url = `/api/v1${base}/candidates/1/artifacts`;
  });
  afterAll(async () => {
    await server.stop();
    await dropStorage(storage);
  });

  const manifest = async () =>
    (await api(server, 'GET', url.replace('/api/v1', ''))).body.items.map(
      (f: { path: string }) => f.path
    ) as string[];

  async function refused(raw: string, code = 'INVALID_PATH') {
    const before = await manifest();
    const r = await rawRequest(
      server,
      'PUT',
      `${url}/${raw}`,
      Buffer.from('payload')
    );
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    if (code) {
      expect(r.body.error.code).toBe(code);
    }
    expect(await manifest()).toEqual(before);
    return r;
  }

  async function storedAs(raw: string, literal: string) {
    const r = await rawRequest(
      server,
      'PUT',
      `${url}/${raw}`,
      Buffer.from(raw)
    );
    expect(r.status).toBe(201);
    expect(r.body.path).toBe(literal);
    expect(await manifest()).toContain(literal);
    const back = await rawRequest(server, 'GET', `${url}/${raw}`);
    expect(back.body).toBe(raw);
  }

  it('percent-encoded dot segments (%2e%2e) are refused like ".."', async () => {
    await refused('%2e%2e/etc/passwd');
    await refused('a/%2E%2E/b');
    await refused('a/.%2e/b');
    await refused('%2e/a');
  });

  it('an encoded slash cannot smuggle a ".." segment (a%2f..%2fb)', async () => {
    await refused('a%2f..%2fb');
    await refused('..%2fescape');
  });

  it('double encoding stays a literal name (%252e%252e is the file "%2e%2e", not "..")', async () => {
    await storedAs('%252e%252e/x', '%2e%2e/x');
  });

  it('NUL, backslash, absolute and empty segments are refused', async () => {
    await refused('a%00b');
    await refused('a%5c..%5cb');
    await refused('%2fetc/passwd');
    await refused('a//b');
    await refused('a/');
  });

  it('Unicode: decomposed (NFD) names are refused, composed (NFC) accepted, look-alike dots are plain names', async () => {
    await refused(encodeURIComponent('cafe\u0301.txt'));
    await storedAs(encodeURIComponent('caf\u00e9.txt'), 'caf\u00e9.txt');
    // U+FF0E FULLWIDTH FULL STOP is not ".": NFC keeps it, so it is an ordinary name.
    await storedAs(`${encodeURIComponent('\uff0e\uff0e')}/x`, '\uff0e\uff0e/x');
    // Overlong UTF-8 for "." is not valid UTF-8 at all.
    await refused('%c0%ae%c0%ae/x', '');
  });

  it('very long paths are refused with a clear 4xx, never a 5xx', async () => {
    const r = await refused('a'.repeat(1025));
    expect(r.body.error.message).toMatch(/longer than 1024/);
    await refused(`${'d/'.repeat(600)}f`);
    await refused('x'.repeat(20_000), '');
  });
});
