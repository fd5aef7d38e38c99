import { api, setupModel } from './helpers/api';
import { describeEachBackend } from './helpers/server';

describeEachBackend('request validation', server => {
  test('bad JSON and wrong types give 400 with a code and a message', async () => {
    const s = server();
    const { base, group } = await setupModel(s);
    const cases: [string, string, unknown | string][] = [
      ['POST', '/groups', '{"name": '],
      ['POST', '/groups', { name: 123 }],
      ['POST', '/groups', { name: 'ok', visibility: 'secret' }],
      ['POST', '/groups', { name: '../evil' }],
      [
        'POST',
        `/models/${group}`,
        { name: 'x', metadata: { tags: 'not-a-list' } }
      ],
      ['POST', `${base}/candidates`, { params: { depth: 6 } }],
      ['POST', `${base}/candidates`, { status: 'done' }],
      [
        'POST',
        `${base}/candidates`,
        { metrics: [{ key: 'auc', value: 'high' }] }
      ],
      ['POST', `${base}/candidates`, '[1, 2'],
      ['POST', `${base}/versions`, { version: '1.0.0', candidate: 'one' }],
      ['PUT', `${base}/aliases/prod`, { version: 1 }]
    ];
    await api(s, 'POST', `${base}/candidates`, { json: {} });
    cases.push([
      'POST',
      `${base}/candidates/1/metrics`,
      { key: 'auc', value: 1 }
    ]);
    cases.push([
      'POST',
      `${base}/candidates/1/metrics`,
      [{ key: 'auc', value: 1, step: 1.5 }]
    ]);
    for (const [method, path, body] of cases) {
      const r = await api(
        s,
        method,
        path,
        typeof body === 'string'
          ? { body, headers: { 'content-type': 'application/json' } }
          : { json: body }
      );
      expect({
        path,
        body,
        status: r.status,
        code: r.body?.error?.code
      }).toEqual({ path, body, status: 400, code: 'VALIDATION_ERROR' });
      expect(typeof r.body.error.message).toBe('string');
      expect(r.body.error.message.length).toBeGreaterThan(5);
    }
    const wrongIid = await api(s, 'GET', `${base}/candidates/abc`);
    expect(wrongIid.status).toBe(400);
    const noRoute = await api(s, 'GET', '/nope');
    expect(noRoute.status).toBe(404);
    expect(noRoute.body.error.code).toBe('NOT_FOUND');
  });

  test('params and tags are bounded per request with a 400, and 1,000 of each are stored whole', async () => {
    const s = server();
    const { base } = await setupModel(s);
    const keys = (n: number, prefix: string) =>
      Object.fromEntries(
        Array.from({ length: n }, (_, i) => [`${prefix}${i}`, String(i)])
      );
    // 10,923 keys once overflowed SQLite's bound-variable limit: a 500.
    for (const body of [
      { params: keys(10_923, 'p') },
      { tags: keys(1_001, 't') }
    ]) {
      const r = await api(s, 'POST', `${base}/candidates`, { json: body });
      expect([r.status, r.body.error?.code]).toEqual([400, 'VALIDATION_ERROR']);
      expect(r.body.error.message).toMatch(/1000/);
    }
    const ok = await api(s, 'POST', `${base}/candidates`, {
      json: { params: keys(1_000, 'p'), tags: keys(1_000, 't') }
    });
    expect(ok.status).toBe(201);
    expect(Object.keys(ok.body.params)).toHaveLength(1_000);
    expect(Object.keys(ok.body.tags)).toHaveLength(1_000);
    const url = `${base}/candidates/${ok.body.iid}`;
    const tooMany = await api(s, 'PATCH', url, {
      json: { params: keys(1_001, 'q') }
    });
    expect(tooMany.status).toBe(400);
    const more = await api(s, 'PATCH', url, {
      json: { params: keys(1_000, 'q'), tags: keys(1_000, 'u') }
    });
    expect(more.status).toBe(200);
    expect(Object.keys(more.body.params)).toHaveLength(2_000);
    expect(Object.keys(more.body.tags)).toHaveLength(2_000);
  });

  test('health, OpenAPI document and docs page', async () => {
    const s = server();
    const h = await api(s, 'GET', '/health', { token: null });
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({ status: 'ok', database: s.backend });
    const doc = await api(s, 'GET', '/openapi.json', { token: null });
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    for (const p of [
      '/api/v1/models/{group}/{model}/candidates',
      '/api/v1/models/{group}/{model}/versions/{version}',
      '/api/v1/models/{group}/{model}/compare'
    ]) {
      expect(Object.keys(doc.body.paths)).toContain(p);
    }
    // Every REST answer is described: a 2xx without a schema would show as "Default Response".
    const undescribed: string[] = [];
    for (const [path, ops] of Object.entries<Record<string, any>>(
      doc.body.paths
    )) {
      if (!path.startsWith('/api/v1/')) {
        continue;
      }
      for (const [method, op] of Object.entries<any>(ops)) {
        const success = Object.entries<any>(op.responses).filter(([status]) =>
          /^2/.test(status)
        );
        const described = success.every(
          ([status, res]) => status === '204' || res.content
        );
        const neverSucceeds = /^Always 409/.test(op.summary);
        if (!described || (!success.length && !neverSucceeds)) {
          undescribed.push(`${method.toUpperCase()} ${path}`);
        }
      }
    }
    expect(undescribed).toEqual([]);
    const codes = doc.body.components.schemas.Error.properties.error.properties
      .code.enum as string[];
    expect(codes).toEqual(
      expect.arrayContaining(['NOT_FOUND', 'VERSION_LOCKED'])
    );
    const page = await fetch(`${s.url}/api/v1/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger');
  });
});
