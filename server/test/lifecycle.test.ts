import crypto from 'node:crypto';
import { api, download, setupModel, unique } from './helpers/api';
import { describeEachBackend } from './helpers/server';

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

describeEachBackend('lifecycle', server => {
  test('model -> candidate -> artifacts -> promote -> locked -> downloads match', async () => {
    const s = server();
    const { base } = await setupModel(s);
    const cand = await api(s, 'POST', `${base}/candidates`, {
      json: {
        name: 'xgb',
        experiment: 'tuning',
        params: { depth: '6', lr: '0.1' },
        metrics: [
          { key: 'auc', value: 0.8, step: 1 },
          { key: 'auc', value: 0.9, step: 2 },
          { key: 'logloss', value: 0.3 }
        ],
        tags: { team: 'risk' },
        provenance: {
          git: { commit: 'abc123', branch: 'main' },
          ci: { pipeline_id: '77', merge_request: '5' }
        }
      }
    });
    expect(cand.status).toBe(201);
    expect(cand.body).toMatchObject({
      iid: 1,
      name: 'xgb',
      experiment: 'tuning',
      status: 'running',
      params: { depth: '6' },
      locked: false,
      version: null
    });
    expect(cand.body.metrics.auc.value).toBe(0.9);
    expect(cand.body.run_id).toMatch(/^[0-9a-f]{32}$/);

    expect(
      (
        await api(s, 'POST', `${base}/candidates/1/metrics`, {
          json: [{ key: 'auc', value: 0.95, step: 3 }]
        })
      ).body
    ).toEqual({ accepted: 1 });
    const hist = await api(s, 'GET', `${base}/candidates/1/metrics/auc`);
    expect(hist.body.history.map((h: any) => h.value)).toEqual([
      0.8, 0.9, 0.95
    ]);

    // Params are write-once: same value is fine, a new value is refused.
    expect(
      (
        await api(s, 'PATCH', `${base}/candidates/1`, {
          json: { params: { depth: '6', seed: '1' } }
        })
      ).status
    ).toBe(200);
    const again = await api(s, 'PATCH', `${base}/candidates/1`, {
      json: { params: { depth: '7' } }
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('PARAM_ALREADY_SET');

    const weights = crypto.randomBytes(300_000);
    const card = Buffer.from('# notes');
    const up = await api(
      s,
      'PUT',
      `${base}/candidates/1/artifacts/model/weights.bin`,
      { body: weights, headers: { 'x-checksum-sha256': sha(weights) } }
    );
    expect(up.status).toBe(201);
    expect(up.body).toEqual({
      path: 'model/weights.bin',
      sha256: sha(weights),
      size: weights.length
    });
    expect(
      (
        await api(s, 'PUT', `${base}/candidates/1/artifacts/README.md`, {
          body: card,
          headers: { 'content-type': 'application/json' }
        })
      ).status
    ).toBe(201);
    const bad = await api(s, 'PUT', `${base}/candidates/1/artifacts/x.bin`, {
      body: card,
      headers: { 'x-checksum-sha256': sha(weights) }
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('DIGEST_MISMATCH');

    const promoted = await api(s, 'POST', `${base}/versions`, {
      json: { version: '1.0.0', candidate: 1, notes: 'first' }
    });
    expect(promoted.status).toBe(201);
    expect(promoted.body).toMatchObject({
      version: '1.0.0',
      candidate: 1,
      locked: true,
      mlflow_version: 1,
      params: { depth: '6', seed: '1' }
    });
    expect(promoted.body.files).toEqual([
      { path: 'README.md', sha256: sha(card), size: card.length },
      { path: 'model/weights.bin', sha256: sha(weights), size: weights.length }
    ]);

    // Every change to the promoted candidate or to the version is VERSION_LOCKED.
    const c = `${base}/candidates/1`;
    const attempts: [string, string, Record<string, unknown>][] = [
      ['PATCH', c, { json: { name: 'renamed' } }],
      ['PATCH', c, { json: { status: 'failed' } }],
      ['PATCH', c, { json: { params: { new: '1' } } }],
      ['PATCH', c, { json: { tags: { a: 'b' } } }],
      ['PATCH', c, { json: { provenance: { git: { commit: 'x' } } } }],
      ['POST', `${c}/metrics`, { json: [{ key: 'auc', value: 1 }] }],
      [
        'PUT',
        `${c}/artifacts/model/weights.bin`,
        { body: Buffer.from('evil') }
      ],
      ['PUT', `${c}/artifacts/new.bin`, { body: Buffer.from('evil') }],
      [
        'PUT',
        `${c}/artifacts/new.bin`,
        {
          headers: {
            'x-checksum-deploy': 'true',
            'x-checksum-sha256': sha(card)
          }
        }
      ],
      ['DELETE', `${c}/artifacts/README.md`, {}],
      ['DELETE', c, {}],
      [
        'PUT',
        `${base}/versions/1.0.0/artifacts/model/weights.bin`,
        { body: Buffer.from('evil') }
      ],
      ['DELETE', `${base}/versions/1.0.0/artifacts/README.md`, {}],
      ['PATCH', `${base}/versions/1.0.0`, { json: { params: { depth: '1' } } }],
      ['DELETE', `${base}/versions/1.0.0`, {}]
    ];
    for (const [method, path, opts] of attempts) {
      const r = await api(s, method, path, opts);
      expect({
        method,
        path,
        status: r.status,
        code: r.body?.error?.code
      }).toEqual({ method, path, status: 409, code: 'VERSION_LOCKED' });
    }
    // Release notes stay editable.
    expect(
      (
        await api(s, 'PATCH', `${base}/versions/1.0.0`, {
          json: { notes: 'better notes' }
        })
      ).body.notes
    ).toBe('better notes');

    const v = await api(s, 'GET', `${base}/versions/1.0.0`);
    expect(v.body.files).toEqual(promoted.body.files);
    expect(v.body.metrics.auc.value).toBe(0.95);
    for (const f of v.body.files) {
      const d = await download(s, `${base}/versions/1.0.0/artifacts/${f.path}`);
      expect(d.status).toBe(200);
      expect(sha(d.bytes)).toBe(f.sha256);
      expect(d.headers.get('etag')).toBe(`"${f.sha256}"`);
      const c2 = await download(s, `${base}/candidates/1/artifacts/${f.path}`);
      expect(sha(c2.bytes)).toBe(f.sha256);
    }
    const cardView = await api(s, 'GET', base);
    expect(cardView.body).toMatchObject({
      latest_version: '1.0.0',
      counts: { versions: 1, candidates: 1 }
    });
    const activity = await api(s, 'GET', `${base}/activity`);
    expect(activity.body.items.map((a: any) => a.action)).toEqual(
      expect.arrayContaining([
        'model.created',
        'candidate.logged',
        'version.promoted'
      ])
    );
  });

  test('POST candidates?create_model=true creates the model on first use', async () => {
    const s = server();
    const group = unique('g');
    await api(s, 'POST', '/groups', { json: { name: group } });
    expect(
      (await api(s, 'POST', `/models/${group}/fresh/candidates`, { json: {} }))
        .status
    ).toBe(404);
    const r = await api(
      s,
      'POST',
      `/models/${group}/fresh/candidates?create_model=true`,
      { json: { name: 'first' } }
    );
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ iid: 1, model: `${group}/fresh` });
    const r2 = await api(
      s,
      'POST',
      `/models/${group}/fresh/candidates?create_model=true`,
      { json: {} }
    );
    expect(r2.body.iid).toBe(2);
    expect(
      (await api(s, 'GET', `/models/${group}/fresh`)).body.counts.candidates
    ).toBe(2);
    // The card's count is a counter kept with each create and delete, not a count on read.
    expect(
      (await api(s, 'DELETE', `/models/${group}/fresh/candidates/1`)).status
    ).toBe(204);
    expect(
      (await api(s, 'GET', `/models/${group}/fresh`)).body.counts.candidates
    ).toBe(1);
    expect(
      (
        await api(s, 'POST', `/models/${group}/fresh/candidates`, {
          json: {}
        })
      ).body.iid
    ).toBe(3);
    expect(
      (await api(s, 'GET', `/models/${group}/fresh`)).body.counts.candidates
    ).toBe(2);
  });

  test('create_model with a name the registry cannot take says what is wrong with it', async () => {
    const s = server();
    const group = unique('g');
    await api(s, 'POST', '/groups', { json: { name: group } });
    const long = 'x'.repeat(104);
    const tooLong = await api(
      s,
      'POST',
      `/models/${group}/${long}/candidates?create_model=true`,
      { json: {} }
    );
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.code).toBe('VALIDATION_ERROR');
    expect(tooLong.body.error.message).toContain(
      '104 characters long; names have at most 100'
    );
    const odd = await api(
      s,
      'POST',
      `/models/${group}/${encodeURIComponent('Cancer Clf!')}/candidates?create_model=true`,
      { json: {} }
    );
    expect(odd.status).toBe(400);
    expect(odd.body.error.message).toContain(
      'may use only letters, digits, ".", "_" and "-"'
    );
    // Nothing was created by the refused requests.
    expect(
      (await api(s, 'GET', `/models?group=${group}`)).body.items
    ).toHaveLength(0);
  });

  test('aliases, latest, deployments', async () => {
    const s = server();
    const { base } = await setupModel(s);
    for (let i = 0; i < 3; i++) {
      await api(s, 'POST', `${base}/candidates`, { json: {} });
    }
    await api(s, 'POST', `${base}/versions`, {
      json: { version: '1.0.0', candidate: 1 }
    });
    await api(s, 'POST', `${base}/versions`, {
      json: { bump: 'minor', candidate: 2 }
    });
    await api(s, 'POST', `${base}/versions`, {
      json: { version: '2.0.0-rc.1', candidate: 3 }
    });
    expect((await api(s, 'GET', `${base}/versions/latest`)).body.version).toBe(
      '1.1.0'
    );
    const moved = await api(s, 'PUT', `${base}/aliases/production`, {
      json: { version: '1.0.0' }
    });
    expect(moved.status).toBe(200);
    expect(
      (await api(s, 'GET', `${base}/versions/production`)).body.version
    ).toBe('1.0.0');
    await api(s, 'PUT', `${base}/aliases/production`, {
      json: { version: '1.1.0' }
    });
    expect((await api(s, 'GET', `${base}/aliases`)).body.items).toEqual([
      expect.objectContaining({ alias: 'production', version: '1.1.0' })
    ]);
    expect(
      (
        await api(s, 'PUT', `${base}/aliases/latest`, {
          json: { version: '1.1.0' }
        })
      ).status
    ).toBe(400);
    const dep = await api(s, 'POST', `${base}/deployments`, {
      json: {
        version: 'production',
        environment: 'prod',
        url: 'http://x',
        status: 'active'
      }
    });
    expect(dep.status).toBe(201);
    expect(dep.body).toMatchObject({
      version: '1.1.0',
      environment: 'prod',
      status: 'active'
    });
    expect(
      (await api(s, 'GET', `${base}/deployments`)).body.items
    ).toHaveLength(1);
    const actions = (await api(s, 'GET', `${base}/activity`)).body.items.map(
      (a: any) => a.action
    );
    expect(actions.filter((a: string) => a === 'alias.moved')).toHaveLength(2);
    expect(actions).toContain('deployment.recorded');
    // The activity log pages newest first with a keyset cursor, each entry once.
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await api(
        s,
        'GET',
        `${base}/activity?limit=2${cursor ? `&cursor=${cursor}` : ''}`
      );
      seen.push(...page.body.items.map((a: any) => a.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(
      (await api(s, 'GET', `${base}/activity?limit=500`)).body.items.length
    );
    expect(
      (await api(s, 'GET', `${base}/deployments?environment=staging`)).body
        .items
    ).toEqual([]);
    expect((await api(s, 'DELETE', `${base}/aliases/production`)).status).toBe(
      204
    );
    expect((await api(s, 'GET', `${base}/versions/production`)).status).toBe(
      404
    );
  });
});
