import { api, unique } from './helpers/api';
import { describeEachBackend, type TestServer } from './helpers/server';

const ROLES = [
  'guest',
  'reporter',
  'developer',
  'maintainer',
  'owner'
] as const;
type Who = (typeof ROLES)[number] | 'outsider' | 'anonymous';

/** Minimum role per action, as docs/api.md states. */
const NEEDS: Record<string, (typeof ROLES)[number]> = {
  read: 'guest',
  log: 'developer',
  editCard: 'developer',
  promote: 'maintainer',
  moveAlias: 'maintainer',
  deleteModel: 'owner'
};

async function makeUsers(s: TestServer, group: string) {
  const tokens: Record<string, string | null> = { anonymous: null };
  for (const who of [...ROLES, 'outsider'] as const) {
    const username = unique(who);
    expect(
      (await api(s, 'POST', '/users', { json: { username } })).status
    ).toBe(201);
    tokens[who] = (
      await api(s, 'POST', `/users/${username}/tokens`, { json: { name: 't' } })
    ).body.token;
    if (who !== 'outsider') {
      expect(
        (
          await api(s, 'PUT', `/groups/${group}/members/${username}`, {
            json: { role: who }
          })
        ).status
      ).toBe(200);
    }
  }
  return tokens;
}

describeEachBackend('roles', server => {
  for (const visibility of ['private', 'public'] as const) {
    test(`role matrix on a ${visibility} group`, async () => {
      const s = server();
      const group = unique('g');
      await api(s, 'POST', '/groups', { json: { name: group, visibility } });
      const tokens = await makeUsers(s, group);
      const rank = (who: Who) => ROLES.indexOf(who as (typeof ROLES)[number]);
      const failures: string[] = [];

      for (const who of [...ROLES, 'outsider', 'anonymous'] as Who[]) {
        const token = tokens[who];
        // Fresh model per caller, set up by the admin: one promoted candidate, one open.
        const model = unique('m');
        const base = `/models/${group}/${model}`;
        await api(s, 'POST', `/models/${group}`, { json: { name: model } });
        await api(s, 'POST', `${base}/candidates`, { json: {} });
        await api(s, 'POST', `${base}/candidates`, { json: {} });
        await api(s, 'POST', `${base}/versions`, {
          json: { version: '1.0.0', candidate: 1 }
        });

        const actions: Record<string, () => Promise<number>> = {
          read: async () => (await api(s, 'GET', base, { token })).status,
          log: async () =>
            (
              await api(s, 'POST', `${base}/candidates`, {
                token,
                json: { name: 'x' }
              })
            ).status,
          editCard: async () =>
            (
              await api(s, 'PATCH', base, {
                token,
                json: { description: 'new' }
              })
            ).status,
          promote: async () =>
            (
              await api(s, 'POST', `${base}/versions`, {
                token,
                json: { version: '2.0.0', candidate: 2 }
              })
            ).status,
          moveAlias: async () =>
            (
              await api(s, 'PUT', `${base}/aliases/production`, {
                token,
                json: { version: '1.0.0' }
              })
            ).status,
          deleteModel: async () =>
            (await api(s, 'DELETE', base, { token })).status
        };
        for (const [action, run] of Object.entries(actions)) {
          const status = await run();
          let expected: number;
          const member = rank(who) >= 0;
          if (who === 'anonymous' && action !== 'read') {
            // Refused before routing or reading the body, whatever exists: nothing leaks.
            expected = 401;
          } else if (!member && visibility === 'private') {
            expected = 404; // existence does not leak
          } else if (action === 'read') {
            expected = 200;
          } else if (!member || rank(who) < rank(NEEDS[action])) {
            expected = 403;
          } else {
            expected = {
              read: 200,
              log: 201,
              editCard: 200,
              promote: 201,
              moveAlias: 200,
              deleteModel: 204
            }[action]!;
          }
          if (status !== expected) {
            failures.push(
              `${who} ${action}: got ${status}, expected ${expected}`
            );
          }
        }
      }
      expect(failures).toEqual([]);
    });
  }

  for (const visibility of ['private', 'public'] as const) {
    test(`webhook and token routes by role on a ${visibility} group`, async () => {
      const s = server();
      const group = unique('g');
      await api(s, 'POST', '/groups', { json: { name: group, visibility } });
      const tokens = await makeUsers(s, group);
      const hook = await api(s, 'POST', `/groups/${group}/webhooks`, {
        json: {
          url: 'https://hooks.example.com/modelreg',
          secret: 'a-long-enough-secret',
          events: ['version.promoted']
        }
      });
      expect(hook.status).toBe(201);
      const admin = (await api(s, 'GET', '/user')).body.username;
      const failures: string[] = [];
      for (const who of [...ROLES, 'outsider', 'anonymous'] as Who[]) {
        const token = tokens[who];
        const member = who !== 'outsider' && who !== 'anonymous';
        const maintainer = who === 'maintainer' || who === 'owner';
        const hidden = !member && visibility === 'private' ? 404 : 403;
        // Anonymous reads of a private group are 404 like any non-member's (existence does not leak).
        const anonymousRead = visibility === 'private' ? 404 : 401;
        const me =
          token && (await api(s, 'GET', '/user', { token })).body.username;
        const checks: [string, number, number][] = [
          [
            'list webhooks',
            (await api(s, 'GET', `/groups/${group}/webhooks`, { token }))
              .status,
            who === 'anonymous' ? anonymousRead : maintainer ? 200 : hidden
          ],
          [
            'subscribe',
            (
              await api(s, 'POST', `/groups/${group}/webhooks`, {
                token,
                json: {
                  url: 'https://hooks.example.com/other',
                  secret: 'a-long-enough-secret',
                  events: ['version.promoted']
                }
              })
            ).status,
            who === 'anonymous' ? 401 : maintainer ? 201 : hidden
          ],
          [
            'deliveries',
            (
              await api(
                s,
                'GET',
                `/groups/${group}/webhooks/${hook.body.id}/deliveries`,
                { token }
              )
            ).status,
            who === 'anonymous' ? anonymousRead : maintainer ? 200 : hidden
          ],
          [
            "admin's tokens",
            (await api(s, 'GET', `/users/${admin}/tokens`, { token })).status,
            who === 'anonymous' ? 401 : 403
          ],
          [
            "mint an admin's token",
            (
              await api(s, 'POST', `/users/${admin}/tokens`, {
                token,
                json: { name: 'stolen' }
              })
            ).status,
            who === 'anonymous' ? 401 : 403
          ]
        ];
        if (me) {
          checks.push([
            'own tokens',
            (await api(s, 'GET', `/users/${me}/tokens`, { token })).status,
            200
          ]);
        }
        for (const [what, got, expected] of checks) {
          if (got !== expected) {
            failures.push(`${who} ${what}: got ${got}, expected ${expected}`);
          }
        }
      }
      expect(failures).toEqual([]);
    });
  }

  test('private groups answer 404 to non-members exactly like missing ones', async () => {
    const s = server();
    const group = unique('g');
    await api(s, 'POST', '/groups', {
      json: { name: group, visibility: 'private' }
    });
    await api(s, 'POST', `/models/${group}`, { json: { name: 'secret' } });
    const other = unique('other');
    await api(s, 'POST', '/groups', { json: { name: other } });
    const tokens = await makeUsers(s, other);
    const missing = await api(
      s,
      'GET',
      `/models/nosuchgroup${Date.now()}/secret`,
      { token: tokens.outsider }
    );
    const hidden = await api(s, 'GET', `/models/${group}/secret`, {
      token: tokens.outsider
    });
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.code).toBe(missing.body.error.code);
    expect(
      (
        await api(s, 'GET', `/models/${group}/secret/candidates`, {
          token: null
        })
      ).status
    ).toBe(404);
    expect(
      (
        await api(s, 'GET', `/models?group=${group}`, {
          token: tokens.outsider
        })
      ).body.items
    ).toEqual([]);
    expect(
      (await api(s, 'GET', `/models?group=${group}`)).body.items
    ).toHaveLength(1);
  });

  test('membership management: maintainers cannot grant owner; tokens are per user', async () => {
    const s = server();
    const group = unique('g');
    await api(s, 'POST', '/groups', { json: { name: group } });
    const tokens = await makeUsers(s, group);
    const someone = unique('u');
    await api(s, 'POST', '/users', { json: { username: someone } });
    const someoneToken = (
      await api(s, 'POST', `/users/${someone}/tokens`, { json: { name: 't' } })
    ).body.token;
    // A maintainer only invites a non-member; they join by accepting.
    expect(
      (
        await api(s, 'PUT', `/groups/${group}/members/${someone}`, {
          token: tokens.maintainer,
          json: { role: 'developer' }
        })
      ).status
    ).toBe(202);
    expect(
      (
        await api(s, 'POST', `/groups/${group}/invitations/accept`, {
          token: someoneToken
        })
      ).body
    ).toEqual({ username: someone, role: 'developer' });
    expect(
      (
        await api(s, 'PUT', `/groups/${group}/members/${someone}`, {
          token: tokens.maintainer,
          json: { role: 'owner' }
        })
      ).status
    ).toBe(403);
    expect(
      (
        await api(s, 'PUT', `/groups/${group}/members/${someone}`, {
          token: tokens.developer,
          json: { role: 'guest' }
        })
      ).status
    ).toBe(403);
    expect(
      (
        await api(s, 'PUT', `/groups/${group}/members/${someone}`, {
          token: tokens.owner,
          json: { role: 'owner' }
        })
      ).status
    ).toBe(200);
    expect(
      (
        await api(s, 'POST', '/users', {
          token: tokens.owner,
          json: { username: unique('x') }
        })
      ).status
    ).toBe(403);
    expect(
      (
        await api(s, 'POST', `/users/${someone}/tokens`, {
          token: tokens.owner,
          json: { name: 'steal' }
        })
      ).status
    ).toBe(403);
    expect(
      (await api(s, 'GET', '/user', { token: 'mr_not_a_token' })).status
    ).toBe(401);
    expect(
      (await api(s, 'GET', '/user', { token: tokens.developer })).body.is_admin
    ).toBe(false);
    const groups = await api(s, 'GET', '/groups', { token: tokens.reporter });
    expect(groups.body.items).toEqual([
      expect.objectContaining({ name: group, role: 'reporter' })
    ]);
  });
});
