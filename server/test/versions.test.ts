import { api, setupModel } from './helpers/api';
import { describeEachBackend } from './helpers/server';

describeEachBackend('versions', server => {
  test('SemVer precedence order with pre-releases; latest skips pre-releases and yanked', async () => {
    const s = server();
    const { base } = await setupModel(s);
    // Promoted in a scrambled order; string sorting would get several of these wrong.
    const order = [
      '1.0.0-alpha.beta',
      '1.0.0',
      '1.0.0-rc.1',
      '1.0.0-alpha',
      '10.0.0',
      '1.0.0-beta.11',
      '2.0.0',
      '1.0.0-alpha.1',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '9.1.0'
    ];
    for (const [i, version] of order.entries()) {
      await api(s, 'POST', `${base}/candidates`, { json: { name: version } });
      const r = await api(s, 'POST', `${base}/versions`, {
        json: { version, candidate: i + 1 }
      });
      expect(r.status).toBe(201);
      expect(r.body.prerelease).toBe(version.includes('-'));
      expect(r.body.mlflow_version).toBe(i + 1);
    }
    const list = await api(s, 'GET', `${base}/versions`);
    expect(list.body.items.map((v: any) => v.version)).toEqual([
      '10.0.0',
      '9.1.0',
      '2.0.0',
      '1.0.0',
      '1.0.0-rc.1',
      '1.0.0-beta.11',
      '1.0.0-beta.2',
      '1.0.0-beta',
      '1.0.0-alpha.beta',
      '1.0.0-alpha.1',
      '1.0.0-alpha'
    ]);
    expect((await api(s, 'GET', base)).body.latest_version).toBe('10.0.0');
    const yanked = await api(s, 'POST', `${base}/versions/10.0.0/yank`, {
      json: { reason: 'broken weights' }
    });
    expect(yanked.body).toMatchObject({
      yanked: true,
      yank_reason: 'broken weights'
    });
    expect((await api(s, 'GET', base)).body.latest_version).toBe('9.1.0');
    expect((await api(s, 'GET', `${base}/versions/latest`)).body.version).toBe(
      '9.1.0'
    );
    // Yanked versions stay readable.
    expect((await api(s, 'GET', `${base}/versions/10.0.0`)).body.yanked).toBe(
      true
    );
  });

  test('a version number is never reused, not even after a yank; invalid SemVer is refused', async () => {
    const s = server();
    const { base } = await setupModel(s);
    for (let i = 0; i < 4; i++) {
      await api(s, 'POST', `${base}/candidates`, { json: {} });
    }
    expect(
      (
        await api(s, 'POST', `${base}/versions`, {
          json: { version: '1.0.0', candidate: 1 }
        })
      ).status
    ).toBe(201);
    const dup = await api(s, 'POST', `${base}/versions`, {
      json: { version: '1.0.0', candidate: 2 }
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('VERSION_EXISTS');
    // Build metadata does not change precedence, so it is the same number.
    expect(
      (
        await api(s, 'POST', `${base}/versions`, {
          json: { version: '1.0.0+build.7', candidate: 2 }
        })
      ).body.error.code
    ).toBe('VERSION_EXISTS');
    await api(s, 'POST', `${base}/versions/1.0.0/yank`, {
      json: { reason: 'bad' }
    });
    const afterYank = await api(s, 'POST', `${base}/versions`, {
      json: { version: '1.0.0', candidate: 2 }
    });
    expect(afterYank.status).toBe(409);
    expect(afterYank.body.error.code).toBe('VERSION_EXISTS');
    // A candidate becomes exactly one version.
    const twice = await api(s, 'POST', `${base}/versions`, {
      json: { version: '1.0.1', candidate: 1 }
    });
    expect(twice.status).toBe(409);
    for (const bad of [
      '1.0',
      'v1.0.0',
      '01.0.0',
      '1.0.0-',
      '1.0.0-01',
      'latest',
      ''
    ]) {
      const r = await api(s, 'POST', `${base}/versions`, {
        json: { version: bad, candidate: 2 }
      });
      expect({ bad, status: r.status, code: r.body.error.code }).toEqual({
        bad,
        status: 400,
        code: 'INVALID_SEMVER'
      });
    }
    // bump counts from the highest number ever used, yanked included.
    const bumped = await api(s, 'POST', `${base}/versions`, {
      json: { bump: 'patch', candidate: 2 }
    });
    expect(bumped.body.version).toBe('1.0.1');
    expect(
      (
        await api(s, 'POST', `${base}/versions`, {
          json: { bump: 'major', candidate: 3 }
        })
      ).body.version
    ).toBe('2.0.0');
    expect(
      (await api(s, 'POST', `${base}/versions`, { json: { candidate: 4 } }))
        .status
    ).toBe(400);
    expect(
      (
        await api(s, 'POST', `${base}/versions`, {
          json: { candidate: 99, version: '3.0.0' }
        })
      ).status
    ).toBe(404);
  });

  test('next_versions in the versions list are exactly what bump then gives', async () => {
    const s = server();
    const { base } = await setupModel(s);
    for (let i = 0; i < 6; i++) {
      await api(s, 'POST', `${base}/candidates`, { json: {} });
    }
    const next = async () =>
      (await api(s, 'GET', `${base}/versions`)).body.next_versions;
    const bump = async (part: string, candidate: number) =>
      api(s, 'POST', `${base}/versions`, { json: { bump: part, candidate } });

    // Nothing released: a first release is 0.1.0 or 1.0.0, and there is nothing to patch.
    expect(await next()).toEqual({
      major: '1.0.0',
      minor: '0.1.0',
      patch: null
    });
    const noPatch = await bump('patch', 1);
    expect({ status: noPatch.status, code: noPatch.body.error.code }).toEqual({
      status: 400,
      code: 'VALIDATION_ERROR'
    });
    expect(noPatch.body.error.message).toContain('"minor" (0.1.0)');

    // Only a pre-release: every bump releases it, as the server's bump on promote does.
    await api(s, 'POST', `${base}/versions`, {
      json: { version: '2.0.0-rc.1', candidate: 1 }
    });
    expect(await next()).toEqual({
      major: '2.0.0',
      minor: '2.0.0',
      patch: '2.0.0'
    });
    expect((await bump('major', 2)).body.version).toBe('2.0.0');

    // From 2.0.0 (numbers compared as numbers), and each suggestion is what bump promotes.
    await api(s, 'POST', `${base}/versions`, {
      json: { version: '2.9.0', candidate: 3 }
    });
    for (const [part, candidate, expected] of [
      ['minor', 4, '2.10.0'],
      ['patch', 5, '2.10.1'],
      ['major', 6, '3.0.0']
    ] as const) {
      const suggested = (await next())[part];
      const promoted = await bump(part, candidate);
      expect({ part, suggested, promoted: promoted.body.version }).toEqual({
        part,
        suggested: expected,
        promoted: expected
      });
    }
  });

  test('ten concurrent promotions to the same number: exactly one 201', async () => {
    const s = server();
    const { base } = await setupModel(s);
    for (let i = 0; i < 10; i++) {
      await api(s, 'POST', `${base}/candidates`, { json: {} });
    }
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api(s, 'POST', `${base}/versions`, {
          json: { version: '3.1.4', candidate: i + 1 }
        })
      )
    );
    const statuses = results.map(r => r.status).sort();
    expect(statuses.filter(x => x === 201)).toHaveLength(1);
    expect(statuses.filter(x => x === 409)).toHaveLength(9);
    expect(
      results
        .filter(r => r.status === 409)
        .every(r => r.body.error.code === 'VERSION_EXISTS')
    ).toBe(true);
    const list = await api(s, 'GET', `${base}/versions`);
    expect(list.body.items).toHaveLength(1);
    // Only the winner is locked; the others stay editable.
    const locked = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api(s, 'GET', `${base}/candidates/${i + 1}`)
      )
    );
    expect(locked.filter(r => r.body.locked)).toHaveLength(1);
    // And ten concurrent promotions of one candidate to ten numbers also give one version.
    const one = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api(s, 'POST', `${base}/versions`, {
          json: {
            version: `5.0.${i}`,
            candidate: list.body.items[0].candidate === 1 ? 2 : 1
          }
        })
      )
    );
    expect(one.filter(r => r.status === 201)).toHaveLength(1);
  });

  test('concurrent candidates get distinct iids', async () => {
    const s = server();
    const { base } = await setupModel(s);
    const made = await Promise.all(
      Array.from({ length: 20 }, () =>
        api(s, 'POST', `${base}/candidates`, { json: {} })
      )
    );
    expect(made.map(r => r.body.iid).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1)
    );
  });
});
