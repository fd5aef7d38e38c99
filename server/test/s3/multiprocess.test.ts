import crypto from 'node:crypto';
import {
  api,
  download,
  expectStoredAndReadBack,
  setupModel
} from '../helpers/api';
import { describeWithMoto, startMoto, type Moto } from '../helpers/moto';
import { Receiver } from '../helpers/receiver';
import {
  PG_URL,
  postgresReachableSync,
  type TestServer
} from '../helpers/server';
import * as s3 from './cluster';

/**
 * The team deployment: three registry processes over one PostgreSQL schema and one bucket must
 * behave as one registry. Each test gets its own schema, bucket and three processes, and sends
 * its concurrent requests round-robin over them, so every race is a race between processes.
 */

const MIB = 1024 * 1024;
const PROCESSES = 3;
const SECRET = 'whsec_' + crypto.randomBytes(12).toString('hex');
const CLUSTER_ENV = {
  MODELREG_UPLOAD_PART_SIZE: String(5 * MIB),
  MODELREG_WEBHOOKS_ALLOW_PRIVATE: 'true',
  MODELREG_WEBHOOKS_POLL_MS: '100',
  MODELREG_WEBHOOKS_RETRY_BASE_MS: '200',
  MODELREG_WEBHOOKS_MAX_DELAY_MS: '1000'
};

const pgReachable = postgresReachableSync();
if (!pgReachable) {
  console.warn(
    `SKIPPED: PostgreSQL at ${PG_URL} is not reachable; "three processes over one PostgreSQL and one bucket" does not run`
  );
}
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

(pgReachable ? describeWithMoto : describe.skip)(
  'three processes over one PostgreSQL and one bucket',
  () => {
    let moto: Moto;
    let cluster: s3.S3Cluster | null = null;
    /** The i-th request's process: round-robin over the three. */
    const via = (i: number): TestServer =>
      cluster!.servers[i % cluster!.servers.length];

    beforeAll(async () => {
      moto = await startMoto();
    });
    afterAll(async () => {
      await moto?.stop();
    });
    beforeEach(async () => {
      cluster = await s3.startCluster(moto, {
        processes: PROCESSES,
        backend: 'postgres',
        env: CLUSTER_ENV
      });
    }, 180_000); // three processes start slowly on a busy machine
    afterEach(async () => {
      await cluster?.stop();
      cluster = null;
    });

    it('promotions racing on three processes: exactly one winner per number and per candidate; iids stay distinct', async () => {
      const { base } = await setupModel(via(0));
      const made = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          api(via(i), 'POST', `${base}/candidates`, { json: {} })
        )
      );
      expect(made.map(r => r.status)).toEqual(Array(12).fill(201));
      expect(made.map(r => r.body.iid).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 12 }, (_, i) => i + 1)
      );

      const sameNumber = await Promise.all(
        Array.from({ length: 9 }, (_, i) =>
          api(via(i), 'POST', `${base}/versions`, {
            json: { version: '1.0.0', candidate: i + 1 }
          })
        )
      );
      const statuses = sameNumber.map(r => r.status);
      expect(statuses.filter(s => s === 201)).toHaveLength(1);
      expect(
        sameNumber
          .filter(r => r.status !== 201)
          .map(r => [r.status, r.body.error.code])
      ).toEqual(Array(8).fill([409, 'VERSION_EXISTS']));
      const winner = sameNumber.find(r => r.status === 201)!.body.candidate;
      const locked = await Promise.all(
        Array.from({ length: 9 }, (_, i) =>
          api(via(i + 1), 'GET', `${base}/candidates/${i + 1}`)
        )
      );
      expect(locked.filter(r => r.body.locked).map(r => r.body.iid)).toEqual([
        winner
      ]);

      // One candidate promoted to six numbers at once, through three processes: one version.
      const loser = winner === 10 ? 11 : 10;
      const sameCandidate = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          api(via(i), 'POST', `${base}/versions`, {
            json: { version: `2.0.${i}`, candidate: loser }
          })
        )
      );
      expect(sameCandidate.filter(r => r.status === 201)).toHaveLength(1);
      const versions = await api(via(2), 'GET', `${base}/versions`);
      expect(versions.body.items).toHaveLength(2);
    }, 120_000);

    it('the same bytes uploaded through three processes at once, proxied and presigned, are one object', async () => {
      const { base } = await setupModel(via(0));
      await api(via(0), 'POST', `${base}/candidates`, { json: {} });
      // 11 MiB: the proxied path stages it (more than one 8 MiB part) and the presigned one has 3 parts.
      const bytes = crypto.randomBytes(11 * MIB);
      const digest = s3.sha256(bytes);
      const proxied = Array.from({ length: 6 }, (_, i) =>
        api(via(i), 'PUT', `${base}/candidates/1/artifacts/proxied-${i}.bin`, {
          body: bytes,
          headers: { 'x-checksum-sha256': digest }
        })
      );
      const presigned = Array.from({ length: 3 }, (_, i) =>
        s3.presignedUpload(via(i), base, 1, `presigned-${i}.bin`, bytes)
      );
      const small = crypto.randomBytes(4096);
      const smalls = Array.from({ length: 6 }, (_, i) =>
        api(via(i), 'PUT', `${base}/candidates/1/artifacts/small-${i}.bin`, {
          body: small
        })
      );
      const results = await Promise.all([...proxied, ...presigned, ...smalls]);
      // A refusal shows its error (code and what the bucket said) in the diff, not just its status.
      expect(
        results.map(r => [r.status, r.body.sha256 ?? r.body.error])
      ).toEqual([
        ...Array(9).fill([201, digest]),
        ...Array(6).fill([201, s3.sha256(small)])
      ]);

      const listed = await api(via(1), 'GET', `${base}/candidates/1/artifacts`);
      expect(listed.body.items).toHaveLength(15);
      expect(
        (await s3.bucketKeys(moto, cluster!.bucket, 'registry/')).sort()
      ).toEqual(
        [digest, s3.sha256(small)]
          .map(d => `registry/sha256/${d.slice(0, 2)}/${d}`)
          .sort()
      );
      for (let i = 0; i < 3; i++) {
        const got = await download(
          via(i + 1),
          `${base}/candidates/1/artifacts/presigned-${i}.bin`
        );
        expect(got.status).toBe(200);
        expect(s3.sha256(got.bytes)).toBe(digest);
      }
      const verify = await s3.runOps(cluster!, ['verify']);
      expect(verify.code).toBe(0);
    }, 120_000);

    it('gc racing uploads of the bytes it collects on three processes never leaves an artifact without its object', async () => {
      const { base } = await setupModel(via(0));
      await api(via(0), 'POST', `${base}/candidates`, { json: {} });
      const bytes = crypto.randomBytes(20_000);
      const digest = s3.sha256(bytes);
      const problems: string[] = [];
      let rounds = 0;
      let racing = true;
      // While `quiet`, uploaders finish their round and wait: the blob gets old and unreferenced.
      let quiet = false;
      let busy = 0;
      // Each uploader attaches the bytes (by body, or by digest alone), reads them back through
      // another process, detaches them and pauses a little, so the blob's lease keeps nearing
      // the grace period while gc runs.
      const uploader = async (p: number) => {
        for (let n = 0; racing; n++) {
          while (quiet && racing) {
            await sleep(50);
          }
          busy++;
          try {
            const s = via(p);
            const where = `${base}/candidates/1/artifacts/p${p}-${n}.bin`;
            const deploy = n % 2 === 1;
            const put = deploy
              ? await api(s, 'PUT', where, {
                  headers: {
                    'x-checksum-deploy': 'true',
                    'x-checksum-sha256': digest
                  }
                })
              : await api(s, 'PUT', where, { body: bytes });
            rounds++;
            if (deploy && put.status === 404) {
              continue; // nothing references the blob: a digest alone is no key to it
            }
            if (put.status !== 201) {
              problems.push(
                `PUT via ${p}: ${put.status} ${JSON.stringify(put.body)}`
              );
              continue;
            }
            const got = await download(via(p + 1), where);
            if (got.status !== 200 || s3.sha256(got.bytes) !== digest) {
              problems.push(`GET ${where} after its 201: ${got.status}`);
            }
            await api(s, 'DELETE', where);
          } finally {
            busy--;
          }
          await sleep(Math.random() * 1500);
        }
      };
      const uploaders = [0, 1, 2].map(uploader);
      const gcRuns: { quiet: boolean; code: number; out: string }[] = [];
      for (let run = 0; run < 6; run++) {
        // Every other run finds the blob unreferenced for longer than the grace: it must go, and
        // the uploads after it must bring it back. The runs between race the uploads.
        quiet = run % 2 === 1;
        while (quiet && busy > 0) {
          await sleep(20);
        }
        if (quiet) {
          await sleep(1200);
        }
        const r = await s3.runOps(cluster!, ['gc', '--grace-seconds', '1']);
        gcRuns.push({ quiet, ...r });
        quiet = false;
        await sleep(1000);
      }
      racing = false;
      await Promise.all(uploaders);
      expect(problems).toEqual([]);
      expect(gcRuns.filter(r => r.code !== 0).map(r => r.out)).toEqual([]);
      expect(rounds).toBeGreaterThan(9);
      expect(
        gcRuns
          .filter(r => r.quiet)
          .map(r => r.out.includes(`removed ${digest}`))
      ).toEqual([true, true, true]);

      await expectStoredAndReadBack(
        via(2),
        via(0),
        `${base}/candidates/1/artifacts/final.bin`,
        bytes
      );
      expect((await s3.runOps(cluster!, ['verify'])).code).toBe(0);
    }, 120_000);

    it('events caused on three processes are delivered exactly once each', async () => {
      const receiver = new Receiver(SECRET);
      await receiver.start();
      try {
        const { group, base } = await setupModel(via(0));
        const hook = await api(via(1), 'POST', `/groups/${group}/webhooks`, {
          json: {
            url: receiver.url,
            secret: SECRET,
            events: ['alias.moved', 'version.promoted']
          }
        });
        expect(hook.status).toBe(201);
        const versions = 6;
        for (let i = 0; i < versions; i++) {
          const c = await api(via(i), 'POST', `${base}/candidates`, {
            json: { status: 'finished' }
          });
          expect(
            (
              await api(via(i + 1), 'POST', `${base}/versions`, {
                json: { candidate: c.body.iid, version: `1.0.${i}` }
              })
            ).status
          ).toBe(201);
        }
        const moves = 24;
        const moved = await Promise.all(
          Array.from({ length: moves }, (_, i) =>
            api(via(i), 'PUT', `${base}/aliases/a${i}`, {
              json: { version: `1.0.${i % versions}` }
            })
          )
        );
        expect(moved.map(r => r.status)).toEqual(Array(moves).fill(200));
        await receiver.waitFor('version.promoted', versions, group);
        await receiver.waitFor('alias.moved', moves, group);
        await sleep(2000); // time for a duplicate to show up, if one were coming
        const ids = receiver.received.map(
          r => r.headers['x-modelreg-delivery']
        );
        expect(ids).toHaveLength(versions + moves);
        expect(new Set(ids).size).toBe(versions + moves);
        expect(
          receiver
            .of('alias.moved', group)
            .map(r => r.json.object.alias)
            .sort()
        ).toEqual(Array.from({ length: moves }, (_, i) => `a${i}`).sort());
        expect(receiver.received.every(r => r.signatureValid)).toBe(true);
      } finally {
        await receiver.stop();
      }
    }, 120_000);
  }
);
