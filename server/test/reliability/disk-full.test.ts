import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { api, download, setupModel } from '../helpers/api';
import { launch, type RunningServer } from './process';

/**
 * A real full disk: the data dir lives on a 2 MiB tmpfs (needs root, as in CI). Where mounting
 * is not allowed the suite is skipped with a message rather than simulated.
 */
const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-full-'));
const mounted =
  spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint])
    .status === 0;
if (!mounted) {
  console.warn(
    `SKIPPED: cannot mount a tmpfs at ${mountPoint} (not root?); "disk full" does not run`
  );
}

(mounted ? describe : describe.skip)(
  'a full disk during an upload [sqlite on a 2 MiB tmpfs]',
  () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await launch({
        dataDir: path.join(mountPoint, 'data'),
        schema: null
      });
    });
    afterAll(async () => {
      await server?.stop();
      spawnSync('umount', [mountPoint]);
      fs.rmSync(mountPoint, { recursive: true, force: true });
    });

    it('answers 507 INSUFFICIENT_STORAGE, keeps nothing half-written, and works again for what fits', async () => {
      const { base } = await setupModel(server);
      await api(server, 'POST', `${base}/candidates`, { json: {} });
      const small = crypto.randomBytes(50_000);
      expect(
        (
          await api(server, 'PUT', `${base}/candidates/1/artifacts/small.bin`, {
            body: small
          })
        ).status
      ).toBe(201);

      const big = await api(
        server,
        'PUT',
        `${base}/candidates/1/artifacts/big.bin`,
        { body: crypto.randomBytes(4 * 1024 * 1024) }
      );
      expect(big.status).toBe(507);
      expect(big.body.error.code).toBe('INSUFFICIENT_STORAGE');
      expect(big.body.error.message).toMatch(
        /storage is full; nothing was kept/
      );

      expect(fs.readdirSync(path.join(server.dataDir, 'blobs', 'tmp'))).toEqual(
        []
      );
      expect(
        (
          await api(server, 'GET', `${base}/candidates/1/artifacts`)
        ).body.items.map((f: { path: string }) => f.path)
      ).toEqual(['small.bin']);
      expect(
        (await api(server, 'GET', '/health', { token: null })).status
      ).toBe(200);
      const again = crypto.randomBytes(50_000);
      expect(
        (
          await api(server, 'PUT', `${base}/candidates/1/artifacts/again.bin`, {
            body: again
          })
        ).status
      ).toBe(201);
      expect(
        (
          await download(server, `${base}/candidates/1/artifacts/again.bin`)
        ).bytes.equals(again)
      ).toBe(true);
    });
  }
);
