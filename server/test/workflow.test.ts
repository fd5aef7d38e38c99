import { api, setupModel } from './helpers/api';
import { describeEachBackend, type TestServer } from './helpers/server';

async function promoted(
  s: TestServer,
  base: string,
  version: string,
  provenance: Record<string, unknown> = {}
) {
  const c = await api(s, 'POST', `${base}/candidates`, {
    json: { name: `v${version}`, status: 'finished', provenance }
  });
  expect(c.status).toBe(201);
  const v = await api(s, 'POST', `${base}/versions`, {
    json: { candidate: c.body.iid, version }
  });
  expect(v.status).toBe(201);
  return { iid: c.body.iid as number, version: v.body };
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describeEachBackend('deployments: status history and live metrics', server => {
  test('pending -> active -> degraded -> active -> retired, each change with who and when; illegal moves are 409', async () => {
    const s = server();
    const { base } = await setupModel(s);
    await promoted(s, base, '1.0.0');
    const created = await api(s, 'POST', `${base}/deployments`, {
      json: {
        version: '1.0.0',
        environment: 'production',
        url: 'https://churn.example.com'
      }
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      version: '1.0.0',
      candidate: null,
      environment: 'production',
      status: 'pending',
      created_by: 'admin'
    });
    const id = created.body.id;
    const patch = (status: string, reason?: string) =>
      api(s, 'PATCH', `${base}/deployments/${id}`, {
        json: { status, ...(reason ? { reason } : {}) }
      });

    expect((await patch('degraded')).body.error.code).toBe('CONFLICT');
    expect((await patch('active')).body.status).toBe('active');
    expect((await patch('degraded', 'p99 too high')).body.status).toBe(
      'degraded'
    );
    expect((await patch('active', 'rolled forward')).body.status).toBe(
      'active'
    );
    expect((await patch('retired')).body.status).toBe('retired');
    const frozen = await patch('active');
    expect(frozen.status).toBe(409);
    expect(frozen.body.error.message).toContain('retired is final');
    expect((await patch('exploded')).status).toBe(400);

    const detail = await api(s, 'GET', `${base}/deployments/${id}`);
    expect(
      detail.body.history.map((h: any) => [h.previous, h.status, h.actor])
    ).toEqual([
      [null, 'pending', 'admin'],
      ['pending', 'active', 'admin'],
      ['active', 'degraded', 'admin'],
      ['degraded', 'active', 'admin'],
      ['active', 'retired', 'admin']
    ]);
    expect(detail.body.history[2].reason).toBe('p99 too high');
    const times = detail.body.history.map((h: any) => Date.parse(h.created_at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect((await api(s, 'GET', `${base}/deployments/999999`)).status).toBe(
      404
    );
  });

  test('a candidate can go to staging but not to production', async () => {
    const s = server();
    const { base } = await setupModel(s);
    const c = await api(s, 'POST', `${base}/candidates`, {
      json: { name: 'exp' }
    });
    const prod = await api(s, 'POST', `${base}/deployments`, {
      json: { candidate: c.body.iid, environment: 'production' }
    });
    expect(prod.status).toBe(400);
    expect(prod.body.error.message).toContain('promote it');
    const both = await api(s, 'POST', `${base}/deployments`, {
      json: { candidate: c.body.iid, version: 'latest', environment: 'staging' }
    });
    expect(both.status).toBe(400);
    const staging = await api(s, 'POST', `${base}/deployments`, {
      json: { candidate: c.body.iid, environment: 'staging', status: 'active' }
    });
    expect(staging.status).toBe(201);
    expect(staging.body).toMatchObject({
      candidate: c.body.iid,
      version: null,
      status: 'active'
    });
    expect(
      (
        await api(s, 'GET', `${base}/deployments?environment=staging`)
      ).body.items.map((d: any) => d.id)
    ).toEqual([staging.body.id]);
  });

  test('live metrics are kept; a threshold on the card marks an active deployment degraded', async () => {
    const s = server();
    const { base } = await setupModel(s);
    await promoted(s, base, '1.0.0');
    const bad = await api(s, 'PUT', `${base}/deployment-thresholds`, {
      json: { items: [{ metric: 'live_accuracy' }] }
    });
    expect(bad.status).toBe(400);
    const thresholds = {
      items: [
        { metric: 'live_accuracy', min: 0.8 },
        { metric: 'p99_ms', max: 250, environment: 'production' }
      ]
    };
    expect(
      (
        await api(s, 'PUT', `${base}/deployment-thresholds`, {
          json: thresholds
        })
      ).body
    ).toEqual({ ...thresholds, next_cursor: null });
    expect((await api(s, 'GET', `${base}/deployment-thresholds`)).body).toEqual(
      { ...thresholds, next_cursor: null }
    );

    const staging = (
      await api(s, 'POST', `${base}/deployments`, {
        json: { version: '1.0.0', environment: 'staging', status: 'active' }
      })
    ).body.id;
    const prod = (
      await api(s, 'POST', `${base}/deployments`, {
        json: { version: '1.0.0', environment: 'production', status: 'active' }
      })
    ).body.id;
    const t0 = Date.now() - 60_000;
    const ok = await api(s, 'POST', `${base}/deployments/${prod}/metrics`, {
      json: [
        { key: 'live_accuracy', value: 0.91, timestamp: t0 },
        { key: 'p99_ms', value: 120, timestamp: t0 }
      ]
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toEqual({ accepted: 2, status: 'active', breach: null });
    // The p99 threshold applies to production only.
    expect(
      (
        await api(s, 'POST', `${base}/deployments/${staging}/metrics`, {
          json: [{ key: 'p99_ms', value: 900 }]
        })
      ).body.status
    ).toBe('active');

    const breach = await api(s, 'POST', `${base}/deployments/${prod}/metrics`, {
      json: [{ key: 'p99_ms', value: 410, timestamp: t0 + 1000 }]
    });
    expect(breach.body.status).toBe('degraded');
    expect(breach.body.breach).toContain(
      'p99_ms = 410 is above its threshold 250'
    );
    // An older point that arrives late does not count as the newest value.
    const late = await api(
      s,
      'POST',
      `${base}/deployments/${staging}/metrics`,
      {
        json: [
          { key: 'live_accuracy', value: 0.5, timestamp: 1 },
          { key: 'live_accuracy', value: 0.95 }
        ]
      }
    );
    expect(late.body.status).toBe('active');

    const detail = await api(s, 'GET', `${base}/deployments/${prod}`);
    expect(detail.body.status).toBe('degraded');
    expect(detail.body.metrics.p99_ms).toEqual([
      { value: 120, timestamp: t0 },
      { value: 410, timestamp: t0 + 1000 }
    ]);
    expect(detail.body.history.at(-1)).toMatchObject({
      previous: 'active',
      status: 'degraded'
    });
    expect(detail.body.history.at(-1).reason).toContain('above its threshold');
    expect(
      (
        await api(s, 'POST', `${base}/deployments/${prod}/metrics`, {
          json: [{ key: 'x', value: 'high' }]
        })
      ).status
    ).toBe(400);
  });
});

describeEachBackend('aliases: history and ?at=', server => {
  test('every move is kept; ?at= answers where the alias pointed then', async () => {
    const s = server();
    const { base } = await setupModel(s);
    for (const v of ['1.0.0', '1.1.0', '2.0.0']) {
      await promoted(s, base, v);
    }
    const stamps: string[] = [];
    for (const v of ['1.0.0', '1.1.0', '2.0.0']) {
      expect(
        (
          await api(s, 'PUT', `${base}/aliases/production`, {
            json: { version: v }
          })
        ).status
      ).toBe(200);
      await sleep(15);
      stamps.push(new Date().toISOString());
      await sleep(15);
    }
    expect(
      (await api(s, 'GET', `${base}/aliases/production`)).body.version
    ).toBe('2.0.0');
    const at = async (when: string) =>
      api(
        s,
        'GET',
        `${base}/aliases/production?at=${encodeURIComponent(when)}`
      );
    expect((await at(stamps[0])).body.version).toBe('1.0.0');
    expect((await at(stamps[1])).body.version).toBe('1.1.0');
    expect((await at(stamps[2])).body.version).toBe('2.0.0');
    const before = await at('2001-01-01T00:00:00Z');
    expect(before.status).toBe(404);
    expect(before.body.error.message).toContain('did not exist yet');
    expect((await at('yesterday')).status).toBe(400);

    expect((await api(s, 'DELETE', `${base}/aliases/production`)).status).toBe(
      204
    );
    const now = new Date(Date.now() + 5).toISOString();
    await sleep(10);
    expect((await at(now)).status).toBe(404);
    expect((await at(stamps[1])).body.version).toBe('1.1.0');
    expect((await api(s, 'GET', `${base}/aliases/production`)).status).toBe(
      404
    );

    const history = await api(s, 'GET', `${base}/aliases/production/history`);
    expect(
      history.body.items.map((h: any) => [h.action, h.version, h.previous])
    ).toEqual([
      ['deleted', null, '2.0.0'],
      ['moved', '2.0.0', '1.1.0'],
      ['moved', '1.1.0', '1.0.0'],
      ['moved', '1.0.0', null]
    ]);
    expect(history.body.items.every((h: any) => h.actor === 'admin')).toBe(
      true
    );
    expect((await api(s, 'GET', `${base}/aliases/never/history`)).status).toBe(
      404
    );
  });
});

describeEachBackend('versions: git tags', server => {
  test('the version records its GTO tag and commit once; a different tag or commit is refused', async () => {
    const s = server();
    const { base, model } = await setupModel(s);
    const commit = 'a'.repeat(40);
    const { version } = await promoted(s, base, '1.2.0', {
      git: { commit, branch: 'main' }
    });
    expect(version).toMatchObject({ git_tag: null, git_commit: null });
    expect(version.manifest_digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const put = (json: unknown) =>
      api(s, 'PUT', `${base}/versions/1.2.0/git-tag`, { json });
    expect((await put({ tag: `${model}@v1.3.0`, commit })).status).toBe(400);
    expect(
      (await put({ tag: `${model}@v1.2.0`, commit: 'b'.repeat(40) })).body.error
        .message
    ).toContain('trained on');
    const ok = await put({ tag: `${model}@v1.2.0`, commit });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      git_tag: `${model}@v1.2.0`,
      git_commit: commit
    });
    expect((await put({ tag: `${model}@v1.2.0`, commit })).status).toBe(200);
    expect((await api(s, 'GET', `${base}/versions/1.2.0`)).body.git_tag).toBe(
      `${model}@v1.2.0`
    );
  });
});
