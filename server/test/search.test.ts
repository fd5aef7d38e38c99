import { api, setupModel } from './helpers/api';
import { describeEachBackend } from './helpers/server';

describeEachBackend('search and compare', server => {
  let base = '';
  let group = '';
  beforeAll(async () => {
    const s = server();
    ({ base, group } = await setupModel(s));
    // 12 candidates: auc = 0.5 + iid/100 except iid 4 and 9 (no auc); depth alternates.
    for (let i = 1; i <= 12; i++) {
      const metrics =
        i === 4 || i === 9
          ? [{ key: 'loss', value: 1 / i }]
          : [
              { key: 'auc', value: 0.5 + (i % 6) / 100 },
              { key: 'loss', value: 1 / i }
            ];
      const r = await api(s, 'POST', `${base}/candidates`, {
        json: {
          name: `c${i}`,
          experiment: i <= 6 ? 'a' : 'b',
          params: { depth: String(i % 2 ? 3 : 6) },
          metrics,
          tags: { parity: i % 2 ? 'odd' : 'even' },
          provenance: {
            ci: {
              pipeline_id: `p${i % 3}`,
              merge_request: i === 5 ? '42' : ''
            },
            git: { commit: `deadbeef${i}` }
          }
        }
      });
      expect(r.status).toBe(201);
    }
    await api(s, 'PATCH', `${base}/candidates/2`, {
      json: { status: 'finished' }
    });
  });

  const iids = (r: any) => r.body.items.map((c: any) => c.iid);

  async function all(
    s: ReturnType<typeof server>,
    query: string,
    limit: number
  ) {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: any = await api(
        s,
        'GET',
        `${base}/candidates?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
      );
      expect(r.status).toBe(200);
      seen.push(...iids(r));
      cursor = r.body.next_cursor;
      pages++;
    } while (cursor && pages < 50);
    return seen;
  }

  test('default order is iid DESC, keyset pages cover everything once', async () => {
    const s = server();
    expect(await all(s, '', 5)).toEqual([
      12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1
    ]);
  });

  test('order_by a metric, candidates without it last, stable across pages', async () => {
    const s = server();
    const full = iids(
      await api(
        s,
        'GET',
        `${base}/candidates?order_by=${encodeURIComponent('metrics.auc DESC')}&limit=100`
      )
    );
    expect(full.slice(-2)).toEqual([9, 4]);
    const values = full.slice(0, -2).map((i: number) => 0.5 + (i % 6) / 100);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect(
      await all(s, `order_by=${encodeURIComponent('metrics.auc DESC')}`, 3)
    ).toEqual(full);
    const asc = await all(
      s,
      `order_by=${encodeURIComponent('metrics.auc ASC')}`,
      4
    );
    expect(asc.slice(-2)).toEqual([4, 9]);
    expect(
      await all(s, `order_by=${encodeURIComponent('created_at ASC')}`, 5)
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  test('order_by name, status, experiment and a param: keyset pages agree with one page', async () => {
    const s = server();
    const order = (o: string) => `order_by=${encodeURIComponent(o)}`;
    const one = async (o: string) =>
      iids(await api(s, 'GET', `${base}/candidates?${order(o)}&limit=100`));
    // Names sort as text: c1, c10, c11, c12, c2, ...
    expect(await one('name ASC')).toEqual([
      1, 10, 11, 12, 2, 3, 4, 5, 6, 7, 8, 9
    ]);
    expect(await all(s, order('name DESC'), 5)).toEqual(
      [1, 10, 11, 12, 2, 3, 4, 5, 6, 7, 8, 9].reverse()
    );
    // Ties are broken by iid in the same direction.
    expect(await all(s, order('status ASC'), 4)).toEqual([
      2, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
    ]);
    expect(await all(s, order('experiment DESC'), 5)).toEqual([
      12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1
    ]);
    expect(await all(s, order('attributes.experiment ASC'), 5)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
    ]);
    // depth is '3' for odd iids, '6' for even ones.
    expect(await all(s, order('params.depth ASC'), 5)).toEqual([
      1, 3, 5, 7, 9, 11, 2, 4, 6, 8, 10, 12
    ]);
    expect(await all(s, order('params.depth DESC'), 5)).toEqual(
      await one('params.depth DESC')
    );
    expect((await all(s, order('params.missing DESC'), 5)).length).toBe(12);
  });

  // With pages of one or two, walking the metric's index costs less than reading the model's
  // candidates (page x all candidates < this model's squared), so these pages take the walk; the
  // page of 100 reads and sorts. Both must give one order, ties broken the same way.
  test('small pages walk the metric index and agree with the sorted read, both directions, filtered', async () => {
    const s = server();
    for (const dir of ['DESC', 'ASC']) {
      const order = `order_by=${encodeURIComponent(`metrics.auc ${dir}`)}`;
      for (const filter of [
        '',
        `&filter=${encodeURIComponent("params.depth = '3'")}`
      ]) {
        const full = iids(
          await api(s, 'GET', `${base}/candidates?${order}${filter}&limit=100`)
        );
        expect(full.length).toBeGreaterThan(4);
        expect(await all(s, `${order}${filter}`, 1)).toEqual(full);
        expect(await all(s, `${order}${filter}`, 2)).toEqual(full);
      }
    }
  });

  test('a walked page joins metric, param and tag filters: ties by candidate, then those without the metric', async () => {
    const s = server();
    // loss < 0.3 and even: 4, 6, 8, 10, 12; auc 0.54 (10), 0.52 (8), 0.50 (6 and 12), none (4).
    const filter = `filter=${encodeURIComponent(
      "metrics.loss < 0.3 and tags.parity = 'even' and params.depth = '6' and attributes.name LIKE 'c%'"
    )}`;
    const order = (dir: string) =>
      `order_by=${encodeURIComponent(`metrics.auc ${dir}`)}`;
    // limit 1 walks the auc index (walkPays), one candidate per page through the cursor.
    expect(await all(s, `${order('DESC')}&${filter}`, 1)).toEqual([
      10, 8, 12, 6, 4
    ]);
    expect(await all(s, `${order('ASC')}&${filter}`, 1)).toEqual([
      6, 12, 8, 10, 4
    ]);
  });

  test('filters: metrics, params, tags, attributes, experiment, status, CI linkage', async () => {
    const s = server();
    const q = async (query: string) => {
      const r = await api(s, 'GET', `${base}/candidates?${query}&limit=100`);
      expect(r.status).toBe(200);
      return iids(r).sort((a: number, b: number) => a - b);
    };
    expect(
      await q(`filter=${encodeURIComponent('metrics.auc > 0.535')}`)
    ).toEqual([5, 10, 11]);
    expect(
      await q(
        `filter=${encodeURIComponent("metrics.auc >= 0.53 and params.depth = '3'")}`
      )
    ).toEqual([3, 5, 11]);
    expect(
      await q(
        `filter=${encodeURIComponent('tags.parity = "even" and metrics.loss < 0.2')}`
      )
    ).toEqual([6, 8, 10, 12]);
    expect(
      await q(`filter=${encodeURIComponent("attributes.name LIKE 'c1%'")}`)
    ).toEqual([1, 10, 11, 12]);
    expect(
      await q(`filter=${encodeURIComponent("attributes.name LIKE 'C1%'")}`)
    ).toEqual([]);
    expect(
      await q(
        `filter=${encodeURIComponent("name ILIKE 'C1%' and tags.parity ilike 'ODD'")}`
      )
    ).toEqual([1, 11]);
    expect(await q('experiment=b&status=running')).toEqual([
      7, 8, 9, 10, 11, 12
    ]);
    expect(await q('status=finished')).toEqual([2]);
    expect(await q('pipeline=p0')).toEqual([3, 6, 9, 12]);
    expect(await q('merge_request=42')).toEqual([5]);
    expect(await q('commit=deadbeef1')).toEqual([1, 10, 11, 12]);
    const bad = await api(
      s,
      'GET',
      `${base}/candidates?filter=${encodeURIComponent('metrics.auc >')}`
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    expect(
      (await api(s, 'GET', `${base}/candidates?order_by=bogus`)).status
    ).toBe(400);
    expect(
      (await api(s, 'GET', `${base}/candidates?cursor=notacursor`)).status
    ).toBe(400);
  });

  test('models search by text, group and tag', async () => {
    const s = server();
    await api(s, 'POST', `/models/${group}`, {
      json: {
        name: 'tagged-one',
        description: 'Churn predictor',
        metadata: { tags: ['nlp', 'prod'] }
      }
    });
    expect(
      (
        await api(s, 'GET', `/models?q=churn%20pred&group=${group}`)
      ).body.items.map((m: any) => m.name)
    ).toEqual(['tagged-one']);
    // A candidate's name finds its model.
    await api(s, 'POST', `/models/${group}/tagged-one/candidates`, {
      json: { name: 'sweep-LR-0.01-deep' }
    });
    expect(
      (
        await api(s, 'GET', `/models?q=lr-0.01-DEEP&group=${group}`)
      ).body.items.map((m: any) => m.name)
    ).toEqual(['tagged-one']);
    expect(
      (await api(s, 'GET', `/models?tag=nlp&group=${group}`)).body.items.map(
        (m: any) => m.name
      )
    ).toEqual(['tagged-one']);
    const page1 = await api(s, 'GET', `/models?group=${group}&limit=1`);
    expect(page1.body.items).toHaveLength(1);
    const page2 = await api(
      s,
      'GET',
      `/models?group=${group}&limit=1&cursor=${page1.body.next_cursor}`
    );
    expect(page2.body.items[0].name).not.toBe(page1.body.items[0].name);
  });

  test('compare aligns params, last metrics with best per goal, and files', async () => {
    const s = server();
    await api(s, 'PUT', `${base}/candidates/1/artifacts/a.txt`, {
      body: Buffer.from('same')
    });
    await api(s, 'PUT', `${base}/candidates/1/artifacts/b.txt`, {
      body: Buffer.from('one')
    });
    await api(s, 'PUT', `${base}/candidates/1/artifacts/gone.txt`, {
      body: Buffer.from('x')
    });
    await api(s, 'PUT', `${base}/candidates/3/artifacts/a.txt`, {
      body: Buffer.from('same')
    });
    await api(s, 'PUT', `${base}/candidates/3/artifacts/b.txt`, {
      body: Buffer.from('three')
    });
    await api(s, 'PUT', `${base}/candidates/3/artifacts/new.txt`, {
      body: Buffer.from('n')
    });
    await api(s, 'POST', `${base}/versions`, {
      json: { version: '0.1.0', candidate: 3 }
    });
    const r = await api(s, 'GET', `${base}/compare?refs=c:1,v:0.1.0,c:2`);
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([
      { ref: 'c:1', kind: 'candidate', iid: 1, version: null, name: 'c1' },
      { ref: 'v:0.1.0', kind: 'version', iid: 3, version: '0.1.0', name: 'c3' },
      { ref: 'c:2', kind: 'candidate', iid: 2, version: null, name: 'c2' }
    ]);
    expect(r.body.params).toEqual([
      { key: 'depth', values: ['3', '3', '6'], differs: true }
    ]);
    const auc = r.body.metrics.find((m: any) => m.key === 'auc');
    expect(auc).toMatchObject({
      values: [0.51, 0.53, 0.52],
      best: 1,
      goal: 'max'
    });
    const loss = r.body.metrics.find((m: any) => m.key === 'loss');
    expect(loss).toMatchObject({ goal: 'min', best: 1 });
    expect(loss.history[0]).toEqual([
      expect.objectContaining({ value: 1, step: 0 })
    ]);
    const status = Object.fromEntries(
      r.body.files.map((f: any) => [f.path, f.status])
    );
    expect(status).toEqual({
      'a.txt': 'removed',
      'b.txt': 'removed',
      'gone.txt': 'removed',
      'new.txt': 'added'
    });
    const two = await api(s, 'GET', `${base}/compare?refs=c:1,c:3`);
    expect(
      Object.fromEntries(two.body.files.map((f: any) => [f.path, f.status]))
    ).toEqual({
      'a.txt': 'same',
      'b.txt': 'changed',
      'gone.txt': 'removed',
      'new.txt': 'added'
    });
    expect((await api(s, 'GET', `${base}/compare?refs=c:999`)).status).toBe(
      404
    );
    expect((await api(s, 'GET', `${base}/compare?refs=x:1`)).status).toBe(400);
  });
});
