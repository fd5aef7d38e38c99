import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { spawnRegistry } from './support/registry';
import {
  api,
  download,
  rawRequest,
  resolveJson,
  setupModel,
  unique
} from './helpers/api';
import { describeEachBackend, type TestServer } from './helpers/server';

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const CLI = path.join(__dirname, '..', 'dist', 'cli.js');

/** A new user (created by the admin) with a token; a member of `group` when a role is given. */
async function newUser(
  s: TestServer,
  opts: { group?: string; role?: string; scopes?: string[] } = {}
) {
  const username = unique('u');
  expect((await api(s, 'POST', '/users', { json: { username } })).status).toBe(
    201
  );
  const created = await api(s, 'POST', `/users/${username}/tokens`, {
    json: { name: 'test', ...(opts.scopes ? { scopes: opts.scopes } : {}) }
  });
  expect(created.status).toBe(201);
  if (opts.group) {
    expect(
      (
        await api(s, 'PUT', `/groups/${opts.group}/members/${username}`, {
          json: { role: opts.role ?? 'developer' }
        })
      ).status
    ).toBe(200);
  }
  return { username, token: created.body.token as string, id: created.body.id };
}

describeEachBackend('security', server => {
  test("a sha256 of another group's private file neither attaches nor confirms its bytes", async () => {
    const s = server();
    const victim = await setupModel(s, 'private');
    await api(s, 'POST', `${victim.base}/candidates`, { json: {} });
    const secret = crypto.randomBytes(4096);
    const digest = sha(secret);
    expect(
      (
        await api(
          s,
          'PUT',
          `${victim.base}/candidates/1/artifacts/secret.bin`,
          {
            body: secret
          }
        )
      ).status
    ).toBe(201);

    // The attacker owns a group of their own and knows only the digest.
    const attacker = await newUser(s);
    const group = unique('g');
    expect(
      (
        await api(s, 'POST', '/groups', {
          token: attacker.token,
          json: { name: group }
        })
      ).status
    ).toBe(201);
    expect(
      (
        await api(s, 'POST', `/models/${group}`, {
          token: attacker.token,
          json: { name: 'm' }
        })
      ).status
    ).toBe(201);
    const base = `/models/${group}/m`;
    await api(s, 'POST', `${base}/candidates`, {
      token: attacker.token,
      json: {}
    });
    const deploy = await api(
      s,
      'PUT',
      `${base}/candidates/1/artifacts/stolen.bin`,
      {
        token: attacker.token,
        headers: { 'x-checksum-deploy': 'true', 'x-checksum-sha256': digest }
      }
    );
    expect(deploy.status).toBe(404);
    expect(deploy.body.error.code).toBe('NOT_FOUND');
    const head = await api(s, 'HEAD', `/blobs/${digest}`, {
      token: attacker.token
    });
    expect(head.status).toBe(404);
    expect(head.headers.get('x-blob-size')).toBeNull();
    // The same answer as for a digest nobody has.
    const absent = await api(
      s,
      'HEAD',
      `/blobs/${sha(crypto.randomBytes(8))}`,
      {
        token: attacker.token
      }
    );
    expect(absent.status).toBe(404);
    expect(
      (
        await download(
          s,
          `${base}/candidates/1/artifacts/stolen.bin`,
          {},
          attacker.token
        )
      ).status
    ).toBe(404);

    // Once the attacker has uploaded the bytes themselves, deploying them is fine again.
    expect(
      (
        await api(s, 'PUT', `${base}/candidates/1/artifacts/own.bin`, {
          token: attacker.token,
          body: secret
        })
      ).status
    ).toBe(201);
    expect(
      (await api(s, 'HEAD', `/blobs/${digest}`, { token: attacker.token }))
        .status
    ).toBe(200);

    // A member of the victim group may reuse the digest.
    const member = await newUser(s, { group: victim.group, role: 'developer' });
    expect(
      (await api(s, 'HEAD', `/blobs/${digest}`, { token: member.token })).status
    ).toBe(200);
  });

  test('blobs of public groups may be deployed by digest from anywhere', async () => {
    const s = server();
    const pub = await setupModel(s, 'public');
    await api(s, 'POST', `${pub.base}/candidates`, { json: {} });
    const bytes = crypto.randomBytes(1000);
    await api(s, 'PUT', `${pub.base}/candidates/1/artifacts/a.bin`, {
      body: bytes
    });
    const outsider = await newUser(s);
    const head = await api(s, 'HEAD', `/blobs/${sha(bytes)}`, {
      token: outsider.token
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-blob-size')).toBe('1000');
  });

  test('tokens: list without secrets, revoke is 204 then 401, expiry and scopes are enforced', async () => {
    const s = server();
    const { group, base } = await setupModel(s);
    const dev = await newUser(s, { group, role: 'developer' });
    const second = await api(s, 'POST', `/users/${dev.username}/tokens`, {
      token: dev.token,
      json: { name: 'laptop' }
    });
    expect(second.status).toBe(201);
    expect(second.body.scopes).toEqual(['read', 'write']);

    const list = await api(s, 'GET', `/users/${dev.username}/tokens`, {
      token: dev.token
    });
    expect(list.status).toBe(200);
    expect(list.body.items.map((t: any) => t.name)).toEqual(['test', 'laptop']);
    const text = JSON.stringify(list.body);
    expect(text.includes(dev.token)).toBe(false);
    expect(text.includes(second.body.token)).toBe(false);
    for (const t of list.body.items) {
      expect(Object.keys(t).sort()).toEqual([
        'created_at',
        'expires_at',
        'id',
        'last_used_at',
        'name',
        'scopes'
      ]);
    }
    // The token that listed was just used.
    expect(list.body.items[0].last_used_at).not.toBeNull();

    // Others cannot see or revoke them; the admin can.
    const other = await newUser(s);
    expect(
      (
        await api(s, 'GET', `/users/${dev.username}/tokens`, {
          token: other.token
        })
      ).status
    ).toBe(403);
    expect(
      (
        await api(
          s,
          'DELETE',
          `/users/${dev.username}/tokens/${second.body.id}`,
          { token: other.token }
        )
      ).status
    ).toBe(403);
    expect((await api(s, 'GET', `/users/${dev.username}/tokens`)).status).toBe(
      200
    );

    expect(
      (await api(s, 'GET', '/user', { token: second.body.token })).status
    ).toBe(200);
    expect(
      (
        await api(
          s,
          'DELETE',
          `/users/${dev.username}/tokens/${second.body.id}`,
          { token: dev.token }
        )
      ).status
    ).toBe(204);
    const revoked = await api(s, 'GET', '/user', { token: second.body.token });
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.code).toBe('UNAUTHENTICATED');
    expect(
      (
        await api(
          s,
          'DELETE',
          `/users/${dev.username}/tokens/${second.body.id}`,
          { token: dev.token }
        )
      ).status
    ).toBe(404);

    // Expiry: in the past is refused at creation; a token past its time is refused on use.
    expect(
      (
        await api(s, 'POST', `/users/${dev.username}/tokens`, {
          token: dev.token,
          json: { name: 'old', expires_at: '2001-01-01T00:00:00Z' }
        })
      ).status
    ).toBe(400);
    const soon = await api(s, 'POST', `/users/${dev.username}/tokens`, {
      token: dev.token,
      json: {
        name: 'soon',
        expires_at: new Date(Date.now() + 1500).toISOString()
      }
    });
    expect(soon.status).toBe(201);
    expect(
      (await api(s, 'GET', '/user', { token: soon.body.token })).status
    ).toBe(200);
    await new Promise(r => setTimeout(r, 1700));
    const late = await api(s, 'GET', '/user', { token: soon.body.token });
    expect(late.status).toBe(401);
    expect(late.body.error.message).toMatch(/expired/);

    // Scopes: a read token reads but does not write, and cannot mint a stronger token.
    const reader = await api(s, 'POST', `/users/${dev.username}/tokens`, {
      token: dev.token,
      json: { name: 'ci-read', scopes: ['read'] }
    });
    expect(reader.body.scopes).toEqual(['read']);
    expect(
      (await api(s, 'GET', base, { token: reader.body.token })).status
    ).toBe(200);
    const write = await api(s, 'POST', `${base}/candidates`, {
      token: reader.body.token,
      json: {}
    });
    expect(write.status).toBe(403);
    expect(write.body.error.message).toMatch(/needs "write"/);
    expect(
      (
        await api(s, 'POST', `/users/${dev.username}/tokens`, {
          token: reader.body.token,
          json: { name: 'escalate', scopes: ['read', 'write'] }
        })
      ).status
    ).toBe(403);
    expect(
      (
        await api(s, 'POST', `${base}/candidates`, {
          token: dev.token,
          json: {}
        })
      ).status
    ).toBe(201);
    // Only the instance admin's tokens can carry admin.
    expect(
      (
        await api(s, 'POST', `/users/${dev.username}/tokens`, {
          token: dev.token,
          json: { name: 'x', scopes: ['admin'] }
        })
      ).status
    ).toBe(400);
  });

  test('an admin token without the admin scope is an ordinary user', async () => {
    const s = server();
    const plain = await api(s, 'POST', '/users/admin/tokens', {
      json: { name: 'rw', scopes: ['read', 'write'] }
    });
    expect(plain.status).toBe(201);
    const r = await api(s, 'POST', '/users', {
      token: plain.body.token,
      json: { username: unique('u') }
    });
    expect(r.status).toBe(403);
    // A private group the admin is not a member of: only the admin scope opens it.
    const someone = await newUser(s);
    const group = unique('g');
    await api(s, 'POST', '/groups', {
      token: someone.token,
      json: { name: group }
    });
    expect((await api(s, 'GET', `/groups/${group}`)).status).toBe(200);
    expect(
      (await api(s, 'GET', `/groups/${group}`, { token: plain.body.token }))
        .status
    ).toBe(404);
    const full = await api(s, 'POST', '/users/admin/tokens', {
      json: { name: 'full' }
    });
    expect(full.body.scopes).toEqual(['read', 'write', 'admin']);
  });

  test('anonymous bodies are refused before they are read; a million keys is 413 before parsing', async () => {
    const s = server();
    const { base } = await setupModel(s);
    // ~12 MB of 1,000,000 keys, the probe's body.
    const keys: string[] = [];
    for (let i = 0; i < 1_000_000; i++) {
      keys.push(`"k${i}":1`);
    }
    const huge = Buffer.from(`{"name":"x","params":{${keys.join(',')}}}`);
    expect(huge.length).toBeGreaterThan(11_000_000);

    const anon = await api(s, 'POST', `${base}/candidates`, {
      token: null,
      body: huge,
      headers: { 'content-type': 'application/json' }
    });
    expect(anon.status).toBe(401);
    const authed = await api(s, 'POST', `${base}/candidates`, {
      body: huge,
      headers: { 'content-type': 'application/json' }
    });
    expect(authed.status).toBe(413);
    expect(authed.body.error.message).toMatch(/--max-json-keys/);

    // Three such bodies at once, anonymous and authenticated.
    const post = (token: string | null) =>
      new Promise<{ status: number }>((resolve, reject) => {
        const u = new URL(s.url);
        const req = http.request(
          {
            host: u.hostname,
            port: u.port,
            method: 'POST',
            path: `/api/v1${base}/candidates`,
            headers: {
              'content-type': 'application/json',
              'content-length': huge.length,
              ...(token ? { authorization: `Bearer ${token}` } : {})
            }
          },
          res => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode! }));
          }
        );
        req.on('error', reject);
        req.end(huge);
      });
    // Health latency meanwhile is a number, measured by bench/hostile-bodies.ts.
    const answers = await Promise.all(
      [null, s.adminToken, s.adminToken].map(post)
    );
    expect((await api(s, 'GET', '/health', { token: null })).status).toBe(200);
    expect(answers.map(a => a.status)).toEqual([401, 413, 413]);
  });

  test('a versioned model is renamed only by owners, and its name never names other content again', async () => {
    const s = server();
    const { group, model, base } = await setupModel(s);
    const maintainer = await newUser(s, { group, role: 'maintainer' });
    await api(s, 'POST', `${base}/candidates`, { json: {} });
    await api(s, 'PUT', `${base}/candidates/1/artifacts/w.bin`, {
      body: Buffer.from('v1')
    });
    expect(
      (
        await api(s, 'POST', `${base}/versions`, {
          json: { version: '1.0.0', candidate: 1 }
        })
      ).status
    ).toBe(201);

    const denied = await api(s, 'POST', `${base}/rename`, {
      token: maintainer.token,
      json: { name: 'elsewhere' }
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toMatch(/owner/);
    const renamed = await api(s, 'POST', `${base}/rename`, {
      json: { name: 'elsewhere' }
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('elsewhere');
    const activity = await api(s, 'GET', `/models/${group}/elsewhere/activity`);
    expect(activity.body.items[0]).toMatchObject({
      action: 'model.renamed',
      actor: 'admin',
      details: { from: model, to: 'elsewhere' }
    });

    // The attack: recreate the old name and promote other bytes as 1.0.0. Refused, in any case.
    for (const name of [model, model.toUpperCase()]) {
      const again = await api(s, 'POST', `/models/${group}`, {
        json: { name }
      });
      expect([name, again.status, again.body.error?.code]).toEqual([
        name,
        409,
        'CONFLICT'
      ]);
    }
    const moveBack = await api(s, 'POST', `/models/${group}/elsewhere/rename`, {
      json: { name: model }
    });
    expect(moveBack.status).toBe(409);

    // Deleting a versioned model retires its name too.
    expect((await api(s, 'DELETE', `/models/${group}/elsewhere`)).status).toBe(
      204
    );
    expect(
      (
        await api(s, 'POST', `/models/${group}`, {
          json: { name: 'elsewhere' }
        })
      ).status
    ).toBe(409);

    // Without versions, a maintainer renames and the old name stays free.
    await api(s, 'POST', `/models/${group}`, { json: { name: 'draft' } });
    expect(
      (
        await api(s, 'POST', `/models/${group}/draft/rename`, {
          token: maintainer.token,
          json: { name: 'draft2' }
        })
      ).status
    ).toBe(200);
    expect(
      (await api(s, 'POST', `/models/${group}`, { json: { name: 'draft' } }))
        .status
    ).toBe(201);
  });

  test('names differing only in case cannot coexist; a taken group name answers the same whatever its visibility', async () => {
    const s = server();
    const name = unique('Sec');
    expect(
      (
        await api(s, 'POST', '/groups', {
          json: { name, visibility: 'private' }
        })
      ).status
    ).toBe(201);
    const outsider = await newUser(s);
    const lower = await api(s, 'POST', '/groups', {
      token: outsider.token,
      json: { name: name.toLowerCase() }
    });
    expect(lower.status).toBe(409);
    const pub = unique('Pub');
    await api(s, 'POST', '/groups', {
      json: { name: pub, visibility: 'public' }
    });
    const publicTaken = await api(s, 'POST', '/groups', {
      token: outsider.token,
      json: { name: pub.toLowerCase() }
    });
    expect(publicTaken.status).toBe(409);
    expect(lower.body.error.code).toBe(publicTaken.body.error.code);
    expect(lower.body.error.message.replace(name.toLowerCase(), 'X')).toBe(
      publicTaken.body.error.message.replace(pub.toLowerCase(), 'X')
    );

    await api(s, 'POST', `/models/${name}`, { json: { name: 'Model' } });
    expect(
      (await api(s, 'POST', `/models/${name}`, { json: { name: 'model' } }))
        .status
    ).toBe(409);
    const user = unique('Bob');
    await api(s, 'POST', '/users', { json: { username: user } });
    expect(
      (
        await api(s, 'POST', '/users', {
          json: { username: user.toLowerCase() }
        })
      ).status
    ).toBe(409);
  });

  test('an owner invites, never adds, and learns nothing about which usernames exist', async () => {
    const s = server();
    const group = unique('inv');
    await api(s, 'POST', '/groups', { json: { name: group } });
    const owner = await newUser(s, { group, role: 'owner' });
    const invitee = await newUser(s);
    const ghost = unique('nobody');
    const put = (username: string) =>
      api(s, 'PUT', `/groups/${group}/members/${username}`, {
        token: owner.token,
        json: { role: 'developer' }
      });
    const real = await put(invitee.username);
    const missing = await put(ghost);
    expect(real.status).toBe(202);
    expect([missing.status, missing.body]).toEqual([
      202,
      { status: 'invited', username: ghost, role: 'developer' }
    ]);
    expect(real.body).toEqual({ ...missing.body, username: invitee.username });
    // Removing answers the same for a non-member and a username that does not exist.
    const stranger = await newUser(s);
    const del = async (username: string) => {
      const r = await api(s, 'DELETE', `/groups/${group}/members/${username}`, {
        token: owner.token
      });
      return [r.status, r.body.error.message.replace(username, 'X')];
    };
    expect(await del(stranger.username)).toEqual(await del(ghost));

    // Not a member until they accept: the group stays invisible to them.
    const members = async () =>
      (await api(s, 'GET', `/groups/${group}/members`)).body.items.map(
        (m: { username: string }) => m.username
      );
    expect(await members()).not.toContain(invitee.username);
    expect(
      (await api(s, 'GET', `/groups/${group}`, { token: invitee.token })).status
    ).toBe(404);
    const mine = await api(s, 'GET', `/users/${invitee.username}/invitations`, {
      token: invitee.token
    });
    expect(
      mine.body.items.map(
        (i: { group: string; role: string; invited_by: string }) => [
          i.group,
          i.role,
          i.invited_by
        ]
      )
    ).toEqual([[group, 'developer', owner.username]]);
    expect(
      (
        await api(s, 'GET', `/users/${invitee.username}/invitations`, {
          token: owner.token
        })
      ).status
    ).toBe(403);
    // Nobody accepts another's invitation; a group that did not invite you answers like none.
    const accept = (token: string, g = group) =>
      api(s, 'POST', `/groups/${g}/invitations/accept`, { token });
    const notInvited = await accept(stranger.token);
    const noGroup = await accept(stranger.token, unique('nogroup'));
    expect([notInvited.status, noGroup.status]).toEqual([404, 404]);
    expect(notInvited.body.error.code).toBe(noGroup.body.error.code);

    expect((await accept(invitee.token)).body).toEqual({
      username: invitee.username,
      role: 'developer'
    });
    expect(await members()).toContain(invitee.username);
    expect((await accept(invitee.token)).status).toBe(404); // used up

    // Declining leaves the user out; a member's role changes directly.
    await put(stranger.username);
    expect(
      (
        await api(s, 'POST', `/groups/${group}/invitations/decline`, {
          token: stranger.token
        })
      ).status
    ).toBe(204);
    expect((await accept(stranger.token)).status).toBe(404);
    expect(await members()).not.toContain(stranger.username);
    const change = await api(
      s,
      'PUT',
      `/groups/${group}/members/${invitee.username}`,
      { token: owner.token, json: { role: 'maintainer' } }
    );
    expect([change.status, change.body]).toEqual([
      200,
      { username: invitee.username, role: 'maintainer' }
    ]);
    // The instance admin still adds directly, and a missing user is a plain 404 for them.
    expect((await put(ghost)).status).toBe(202);
    expect(
      (
        await api(s, 'PUT', `/groups/${group}/members/${stranger.username}`, {
          json: { role: 'guest' }
        })
      ).status
    ).toBe(200);
    expect(
      (
        await api(s, 'PUT', `/groups/${group}/members/${ghost}`, {
          json: { role: 'guest' }
        })
      ).status
    ).toBe(404);
  });

  test('only http(s) URLs are stored as CI job and deployment links', async () => {
    const s = server();
    const { base } = await setupModel(s);
    const bad = await api(s, 'POST', `${base}/candidates`, {
      json: {
        provenance: { ci: { job_url: 'javascript:alert(document.cookie)' } }
      }
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/provenance\.ci\.job_url/);
    const ok = await api(s, 'POST', `${base}/candidates`, {
      json: { provenance: { ci: { job_url: 'https://ci.example.com/j/1' } } }
    });
    expect(ok.status).toBe(201);
    const patched = await api(s, 'PATCH', `${base}/candidates/${ok.body.iid}`, {
      json: {
        provenance: { ci: { project_url: 'data:text/html,<script>x</script>' } }
      }
    });
    expect(patched.status).toBe(400);
    await api(s, 'POST', `${base}/versions`, {
      json: { version: '1.0.0', candidate: ok.body.iid }
    });
    const deploy = await api(s, 'POST', `${base}/deployments`, {
      json: {
        version: '1.0.0',
        environment: 'production',
        url: 'javascript:alert(1)',
        status: 'active'
      }
    });
    expect(deploy.status).toBe(400);
    expect(deploy.body.error.message).toMatch(/body\/url/);
    expect(
      (
        await api(s, 'POST', `${base}/deployments`, {
          json: {
            version: '1.0.0',
            environment: 'production',
            url: 'https://serve.example.com',
            status: 'active'
          }
        })
      ).status
    ).toBe(201);
  });

  test('errors before routing keep the {error: {code, message}} shape', async () => {
    const s = server();
    const bad = await rawRequest(s, 'GET', '/api/v1/models/g/m%zz');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_PATH');
    expect(bad.body.error.message).toMatch(/%-escape/);

    const big = await new Promise<{ status: number; body: any }>(
      (resolve, reject) => {
        const u = new URL(s.url);
        const req = http.request(
          {
            host: u.hostname,
            port: u.port,
            path: '/api/v1/health',
            headers: { 'x-big': 'a'.repeat(20_000) }
          },
          resolveJson(resolve, reject)
        );
        req.on('error', reject);
        req.end();
      }
    );
    expect(big.status).toBe(431);
    expect(big.body.error.code).toBe('HEADERS_TOO_LARGE');
  });

  test('If-None-Match: * is 304; artifact paths with trailing spaces or bidi controls are refused', async () => {
    const s = server();
    const { base } = await setupModel(s);
    await api(s, 'POST', `${base}/candidates`, { json: {} });
    await api(s, 'PUT', `${base}/candidates/1/artifacts/a.bin`, {
      body: Buffer.from('abc')
    });
    const star = await download(s, `${base}/candidates/1/artifacts/a.bin`, {
      'if-none-match': '*'
    });
    expect(star.status).toBe(304);
    for (const name of [
      'a.bin ',
      'dir /a.bin',
      'model\u202Egnp.exe',
      'x\u2066y',
      'x\u2069y',
      'x\u202Ay'
    ]) {
      const r = await api(
        s,
        'PUT',
        `${base}/candidates/1/artifacts/${encodeURIComponent(name)}`,
        {
          body: Buffer.from('x')
        }
      );
      expect([name, r.status, r.body.error?.code]).toEqual([
        name,
        400,
        'INVALID_PATH'
      ]);
    }
  });
});

describe('security on one data dir', () => {
  const dataDir = fs.mkdtempSync(
    path.join(require('node:os').tmpdir(), 'modelreg-sec-')
  );
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  test('a revoked token is refused by every process; rotating MODELREG_ADMIN_TOKEN revokes the old one; files are private', async () => {
    const first = 'mr_first_' + crypto.randomBytes(8).toString('hex');
    const env = { MODELREG_ADMIN_TOKEN: first, MODELREG_DATABASE_URL: '' };
    const a = await spawnRegistry({ dataDir, env, cli: CLI });
    const b = await spawnRegistry({ dataDir, env, cli: CLI });
    try {
      const sa = { url: a.url, adminToken: first } as TestServer;
      const sb = { url: b.url, adminToken: first } as TestServer;
      const t = await api(sa, 'POST', '/users/admin/tokens', {
        json: { name: 'both' }
      });
      expect(
        (await api(sb, 'GET', '/user', { token: t.body.token })).status
      ).toBe(200);
      expect(
        (await api(sa, 'DELETE', `/users/admin/tokens/${t.body.id}`)).status
      ).toBe(204);
      expect(
        (await api(sb, 'GET', '/user', { token: t.body.token })).status
      ).toBe(401);
      expect(
        (await api(sa, 'GET', '/user', { token: t.body.token })).status
      ).toBe(401);

      // Some bytes, so the blob tree exists.
      const { base } = await setupModel(sa);
      await api(sa, 'POST', `${base}/candidates`, { json: {} });
      await api(sa, 'PUT', `${base}/candidates/1/artifacts/w.bin`, {
        body: Buffer.from('weights')
      });
    } finally {
      await a.stop();
      await b.stop();
    }
    const modes: string[] = [];
    const walk = (p: string) => {
      const st = fs.statSync(p);
      modes.push(
        `${path.relative(dataDir, p) || '.'} ${(st.mode & 0o777).toString(8)}`
      );
      if (st.isDirectory()) {
        for (const child of fs.readdirSync(p)) {
          walk(path.join(p, child));
        }
      }
    };
    walk(dataDir);
    const open = modes.filter(m => !/ (600|700)$/.test(m));
    expect(open).toEqual([]);
    expect(modes.some(m => m.startsWith('registry.sqlite '))).toBe(true);

    const second = 'mr_second_' + crypto.randomBytes(8).toString('hex');
    const c = await spawnRegistry({
      dataDir,
      env: { ...env, MODELREG_ADMIN_TOKEN: second },
      cli: CLI
    });
    try {
      const sc = { url: c.url, adminToken: second } as TestServer;
      expect((await api(sc, 'GET', '/user')).status).toBe(200);
      expect((await api(sc, 'GET', '/user', { token: first })).status).toBe(
        401
      );
    } finally {
      await c.stop();
    }
  });
});
