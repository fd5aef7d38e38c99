import { api, setupModel } from '../helpers/api';
import { eachBackend, serverPerSuite } from './process';

/** Found by schemathesis on PostgreSQL: a NUL character in text was a 500 there (text columns cannot hold it). */
eachBackend('NUL characters in text', backend => {
  const ctx = serverPerSuite(backend);

  it('are refused with 400 wherever they appear: query, path, body values and keys', async () => {
    const { server } = ctx;
    const { group, base } = await setupModel(server);
    const cases = [
      await api(
        server,
        'GET',
        `/models?group=${encodeURIComponent('a\u0000b')}`
      ),
      await api(
        server,
        'GET',
        `/models/${group}/${encodeURIComponent('m\u0000')}`
      ),
      await api(server, 'POST', `${base}/candidates`, {
        json: { name: 'bad\u0000name' }
      }),
      await api(server, 'PATCH', base, {
        json: { metadata: { extra: { 'k\u0000': 'v' } } }
      })
    ];
    for (const r of cases) {
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(/NUL character/);
    }
    expect(
      (
        await api(server, 'POST', `${base}/candidates`, {
          json: { name: 'fine' }
        })
      ).status
    ).toBe(201);
  });
});
