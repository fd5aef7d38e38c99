import crypto from 'node:crypto';
import path from 'node:path';
import { api, download, setupModel } from '../helpers/api';
import {
  dropStorage,
  eachBackend,
  launch,
  newStorage,
  runCli,
  sha256,
  type RunningServer,
  type Storage
} from './process';

/** Everything a client can see of one model, with artifact bytes reduced to their digests. */
async function snapshotModel(server: RunningServer, base: string) {
  const card = (await api(server, 'GET', base)).body;
  delete card.your_role;
  const candidates: any[] = [];
  let cursor: string | null = null;
  do {
    const page: any = (
      await api(
        server,
        'GET',
        `${base}/candidates?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
      )
    ).body;
    for (const c of page.items) {
      const files = (
        await api(server, 'GET', `${base}/candidates/${c.iid}/artifacts`)
      ).body.items as Array<{ path: string; sha256: string }>;
      const served = [];
      for (const f of files) {
        served.push(
          sha256(
            (
              await download(
                server,
                `${base}/candidates/${c.iid}/artifacts/${f.path}`
              )
            ).bytes
          )
        );
      }
      candidates.push({
        detail: (await api(server, 'GET', `${base}/candidates/${c.iid}`)).body,
        files,
        served
      });
    }
    cursor = page.next_cursor;
  } while (cursor);
  const versions = (await api(server, 'GET', `${base}/versions`)).body.items;
  const aliases = (await api(server, 'GET', `${base}/aliases`)).body.items;
  return {
    card,
    candidates: candidates.sort((a, b) => a.detail.iid - b.detail.iid),
    versions,
    aliases
  };
}

eachBackend('backup and restore', backend => {
  const storages: Storage[] = [];
  const servers: RunningServer[] = [];
  afterAll(async () => {
    for (const s of servers) {
      await s.stop();
    }
    for (const s of storages) {
      await dropStorage(s);
    }
  });

  it('an online backup restored into an empty data dir serves the same models, candidates, versions and files', async () => {
    const original = newStorage(backend);
    storages.push(original);
    const a = await launch(original);
    servers.push(a);
    const { base } = await setupModel(a);
    for (let i = 1; i <= 4; i++) {
      const c = await api(a, 'POST', `${base}/candidates`, {
        json: {
          name: `c${i}`,
          params: { lr: String(i / 10) },
          metrics: [{ key: 'auc', value: 0.8 + i / 100, step: i }]
        }
      });
      expect(c.status).toBe(201);
      for (let f = 0; f < 3; f++) {
        expect(
          (
            await api(
              a,
              'PUT',
              `${base}/candidates/${i}/artifacts/dir/f${f}.bin`,
              { body: crypto.randomBytes(1000 + f * 20_000) }
            )
          ).status
        ).toBe(201);
      }
    }
    expect(
      (
        await api(a, 'POST', `${base}/versions`, {
          json: { version: '1.0.0', candidate: 2 }
        })
      ).status
    ).toBe(201);
    expect(
      (
        await api(a, 'POST', `${base}/versions`, {
          json: { version: '1.1.0-rc.1', candidate: 3, notes: 'rc' }
        })
      ).status
    ).toBe(201);
    expect(
      (
        await api(a, 'PUT', `${base}/aliases/production`, {
          json: { version: '1.0.0' }
        })
      ).status
    ).toBeLessThan(300);

    // Writes keep going on another model while the backup runs.
    const busy = await setupModel(a);
    let writing = true;
    const writer = (async () => {
      let n = 0;
      while (writing) {
        n++;
        await api(a, 'POST', `${busy.base}/candidates`, {
          json: { name: `w${n}` }
        });
        await api(a, 'PUT', `${busy.base}/candidates/${n}/artifacts/w.bin`, {
          body: crypto.randomBytes(5000)
        });
      }
    })();
    await new Promise(r => setTimeout(r, 300));
    const dir = path.join(
      original.dataDir,
      '..',
      `${path.basename(original.dataDir)}-backup`
    );
    const b = runCli(original, ['backup', dir, '--data-dir', original.dataDir]);
    writing = false;
    await writer;
    expect(b.out).toMatch(/backup: \{/);
    expect(b.code).toBe(0);

    const restored = newStorage(backend);
    storages.push(restored, { dataDir: dir, schema: null });
    const r = runCli(restored, [
      'restore',
      dir,
      '--data-dir',
      restored.dataDir
    ]);
    expect(r.out).toMatch(/restore: \{/);
    expect(r.code).toBe(0);
    const again = runCli(restored, [
      'restore',
      dir,
      '--data-dir',
      restored.dataDir
    ]);
    expect(again.code).not.toBe(0);

    const c = await launch(restored, { token: a.adminToken });
    servers.push(c);
    expect(await snapshotModel(c, base)).toEqual(await snapshotModel(a, base));
    // The signing key came along: versions stay verifiable against the key clients pinned.
    expect((await api(c, 'GET', '/signing-key')).body).toEqual(
      (await api(a, 'GET', '/signing-key')).body
    );
    // The busy model is restored as of one instant: a prefix of the original's candidates, each complete.
    const copy = await snapshotModel(c, busy.base);
    const live = await snapshotModel(a, busy.base);
    expect(copy.candidates.length).toBeGreaterThan(0);
    for (const cand of copy.candidates) {
      const same = live.candidates.find(
        (x: any) => x.detail.iid === cand.detail.iid
      );
      expect(same.detail.name).toBe(cand.detail.name);
      for (const [i, f] of cand.files.entries()) {
        expect(cand.served[i]).toBe(f.sha256);
      }
    }
    expect(
      runCli(restored, ['verify', '--data-dir', restored.dataDir]).code
    ).toBe(0);
  });
});
