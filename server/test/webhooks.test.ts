import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnRegistry, type RegistryProcess } from './support/registry';
import { api, setupModel } from './helpers/api';
import { Receiver } from './helpers/receiver';
import {
  describeEachBackend,
  dropSchema,
  PG_URL,
  postgresReachableSync,
  type Backend,
  type TestServer
} from './helpers/server';

const CLI = path.join(__dirname, '..', 'dist', 'cli.js');
const SECRET = 'whsec_' + crypto.randomBytes(12).toString('hex');
const FAST_RETRIES = {
  MODELREG_WEBHOOKS_ALLOW_PRIVATE: 'true',
  MODELREG_WEBHOOKS_POLL_MS: '100',
  MODELREG_WEBHOOKS_RETRY_BASE_MS: '200',
  MODELREG_WEBHOOKS_MAX_DELAY_MS: '1000',
  // Short attempts, so the lease of an attempt cut by SIGKILL lapses within seconds.
  MODELREG_WEBHOOKS_TIMEOUT_MS: '2000'
};

/** A registry (SQLite data dir or PostgreSQL schema) that the test can kill and start again. */
class Restartable {
  readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-hooks-'));
  readonly adminToken = 'mr_test_' + crypto.randomBytes(16).toString('hex');
  readonly schema = `mr_test_${crypto.randomBytes(6).toString('hex')}`;
  readonly procs: RegistryProcess[] = [];
  proc: RegistryProcess | null = null;

  constructor(readonly backend: Backend) {}

  /** Starts one more process on the same database. */
  async spawn(): Promise<RegistryProcess> {
    const database =
      this.backend === 'postgres'
        ? {
            MODELREG_DATABASE_URL: PG_URL,
            MODELREG_DATABASE_SCHEMA: this.schema
          }
        : { MODELREG_DATABASE_URL: '', MODELREG_DATABASE_SCHEMA: '' };
    const p = await spawnRegistry({
      dataDir: this.dataDir,
      cli: CLI,
      env: {
        MODELREG_ADMIN_TOKEN: this.adminToken,
        ...database,
        ...FAST_RETRIES
      }
    });
    this.procs.push(p);
    return p;
  }

  async start(): Promise<TestServer> {
    this.proc = await this.spawn();
    return this.server(this.proc);
  }

  server(p: RegistryProcess): TestServer {
    return {
      url: p.url,
      dataDir: this.dataDir,
      adminToken: this.adminToken,
      backend: this.backend,
      proc: p.proc,
      stop: () => p.stop()
    };
  }

  async kill9(): Promise<void> {
    const p = this.proc!;
    const exited = new Promise(r => p.proc.once('exit', r));
    p.proc.kill('SIGKILL');
    await exited;
  }

  async cleanUp(): Promise<void> {
    for (const p of this.procs) {
      await p.stop();
    }
    fs.rmSync(this.dataDir, { recursive: true, force: true });
    if (this.backend === 'postgres') {
      await dropSchema(this.schema);
    }
  }
}

async function subscribe(
  s: TestServer,
  group: string,
  url: string,
  events: string[],
  model?: string
) {
  const res = await api(s, 'POST', `/groups/${group}/webhooks`, {
    json: { url, secret: SECRET, events, ...(model ? { model } : {}) }
  });
  expect(res.status).toBe(201);
  return res.body.id as number;
}

async function promotedCandidate(s: TestServer, base: string, version: string) {
  const c = await api(s, 'POST', `${base}/candidates`, {
    json: { name: 'x', status: 'finished' }
  });
  expect(c.status).toBe(201);
  const v = await api(s, 'POST', `${base}/versions`, {
    json: { candidate: c.body.iid, version }
  });
  expect(v.status).toBe(201);
  return c.body.iid as number;
}

for (const backend of ['sqlite', 'postgres'] as Backend[]) {
  const available = backend === 'sqlite' || postgresReachableSync();
  (available ? describe : describe.skip)(
    `webhooks: durable outbox across crashes [${backend}]`,
    () => {
      const registry = new Restartable(backend);
      const receiver = new Receiver(SECRET);
      afterAll(async () => {
        await receiver.stop();
        await registry.cleanUp();
      });

      test('SIGKILL after a promotion while the receiver is down: after restart the event arrives once, signed', async () => {
        await receiver.start();
        const port = receiver.port;
        await receiver.stop(); // down: connections are refused
        let s = await registry.start();
        const { group, model, base } = await setupModel(s);
        const hook = await subscribe(
          s,
          group,
          `http://127.0.0.1:${port}/hook`,
          ['version.promoted']
        );
        await promotedCandidate(s, base, '1.0.0');
        await registry.kill9();

        await receiver.start(port);
        s = await registry.start();
        const [got] = await receiver.waitFor('version.promoted', 1, group);
        expect(got.signatureValid).toBe(true);
        expect(got.path).toBe('/hook');
        expect(Number(got.headers['x-modelreg-timestamp'])).toBeGreaterThan(
          Date.now() / 1000 - 120
        );
        expect(got.json).toMatchObject({
          type: 'version.promoted',
          actor: 'admin',
          model: { group, name: model, full_name: `${group}/${model}` },
          object: { version: '1.0.0' }
        });

        // Delivered: no further attempts, and the list says so with the same delivery id.
        await new Promise(r => setTimeout(r, 1000));
        expect(receiver.of('version.promoted', group)).toHaveLength(1);
        const deliveries = await api(
          s,
          'GET',
          `/groups/${group}/webhooks/${hook}/deliveries`
        );
        expect(deliveries.body.items).toHaveLength(1);
        expect(deliveries.body.items[0]).toMatchObject({
          delivery: got.headers['x-modelreg-delivery'],
          event: 'version.promoted',
          status: 'delivered',
          last_status: 200
        });
        expect(deliveries.body.items[0].attempts).toBeGreaterThanOrEqual(1);

        // Redelivery: the same id again, a fresh signature.
        const again = await api(
          s,
          'POST',
          `/groups/${group}/webhooks/${hook}/deliveries/${deliveries.body.items[0].id}/redeliver`
        );
        expect(again.status).toBe(202);
        const both = await receiver.waitFor('version.promoted', 2, group);
        expect(both[1].headers['x-modelreg-delivery']).toBe(
          got.headers['x-modelreg-delivery']
        );
        expect(both[1].signatureValid).toBe(true);
      }, 90_000);

      test('every change raises its event with the model, the object and the actor; a model-scoped hook hears only its model', async () => {
        const s = registry.server(registry.proc!);
        const { group, model, base } = await setupModel(s);
        const other = `${model}x`;
        expect(
          (await api(s, 'POST', `/models/${group}`, { json: { name: other } }))
            .status
        ).toBe(201);
        const all = [
          'candidate.created',
          'candidate.finished',
          'candidate.failed',
          'version.promoted',
          'version.yanked',
          'alias.moved',
          'alias.deleted',
          'deployment.created',
          'deployment.updated',
          'card.updated'
        ];
        await subscribe(s, group, receiver.url, all, model);
        const mine = () =>
          receiver.received.filter(
            r => r.json?.model?.full_name === `${group}/${model}`
          );

        const c1 = (
          await api(s, 'POST', `${base}/candidates`, {
            json: { name: 'a', provenance: { ci: { pipeline_id: '77' } } }
          })
        ).body.iid;
        expect(
          (
            await api(s, 'PATCH', `${base}/candidates/${c1}`, {
              json: { status: 'finished' }
            })
          ).status
        ).toBe(200);
        const c2 = (
          await api(s, 'POST', `${base}/candidates`, { json: { name: 'b' } })
        ).body.iid;
        expect(
          (
            await api(s, 'PATCH', `${base}/candidates/${c2}`, {
              json: { status: 'failed' }
            })
          ).status
        ).toBe(200);
        expect(
          (
            await api(s, 'POST', `${base}/versions`, {
              json: { candidate: c1, version: '1.0.0' }
            })
          ).status
        ).toBe(201);
        expect(
          (
            await api(s, 'PUT', `${base}/aliases/production`, {
              json: { version: '1.0.0' }
            })
          ).status
        ).toBe(200);
        const dep = (
          await api(s, 'POST', `${base}/deployments`, {
            json: { version: 'production', environment: 'production' }
          })
        ).body.id;
        expect(
          (
            await api(s, 'PATCH', `${base}/deployments/${dep}`, {
              json: { status: 'active' }
            })
          ).status
        ).toBe(200);
        expect(
          (
            await api(s, 'PATCH', `/models/${group}/${model}`, {
              json: { description: 'churn model' }
            })
          ).status
        ).toBe(200);
        expect(
          (await api(s, 'DELETE', `${base}/aliases/production`)).status
        ).toBe(204);
        expect(
          (
            await api(s, 'POST', `${base}/versions/1.0.0/yank`, {
              json: { reason: 'leak' }
            })
          ).status
        ).toBe(200);
        // The other model's changes are not this hook's business.
        await api(s, 'POST', `/models/${group}/${other}/candidates`, {
          json: { name: 'elsewhere' }
        });

        await receiver.waitFor('version.yanked', 1, group);
        await new Promise(r => setTimeout(r, 500));
        const got = mine();
        expect(got.every(r => r.signatureValid)).toBe(true);
        expect(got.map(r => r.headers['x-modelreg-event']).sort()).toEqual(
          [...all, 'candidate.created'].sort() // two candidates were logged
        );
        expect(receiver.received.some(r => r.json?.model?.name === other)).toBe(
          false
        );
        const by = (type: string) => got.find(r => r.json.type === type)!.json;
        // Two candidates were created and deliveries carry no order guarantee: pick the first's.
        expect(
          got.find(
            r => r.json.type === 'candidate.created' && r.json.object.iid === c1
          )?.json.object
        ).toMatchObject({
          iid: c1,
          name: 'a',
          status: 'running'
        });
        expect(by('candidate.finished').object).toMatchObject({
          iid: c1,
          status: 'finished'
        });
        expect(by('candidate.failed').object).toMatchObject({
          iid: c2,
          status: 'failed'
        });
        expect(by('version.promoted').object).toMatchObject({
          version: '1.0.0',
          candidate: c1
        });
        expect(by('alias.moved').object).toEqual({
          alias: 'production',
          from: null,
          to: '1.0.0'
        });
        expect(by('alias.deleted').object).toEqual({
          alias: 'production',
          from: '1.0.0'
        });
        expect(by('deployment.created').object).toMatchObject({
          id: dep,
          version: '1.0.0',
          status: 'pending'
        });
        expect(by('deployment.updated').object).toMatchObject({
          id: dep,
          status: 'active',
          previous_status: 'pending'
        });
        expect(by('version.yanked').object).toMatchObject({
          version: '1.0.0',
          reason: 'leak'
        });
        expect(new Set(got.map(r => r.json.actor))).toEqual(new Set(['admin']));
      }, 60_000);

      // Several processes on one database is the PostgreSQL setup (SQLite serves one process).
      (backend === 'postgres' ? test : test.skip)(
        'two processes on one database deliver each event exactly once',
        async () => {
          const s1 = registry.server(registry.proc!);
          const second = await registry.spawn();
          try {
            const s2 = registry.server(second);
            const { group, base } = await setupModel(s1);
            await subscribe(s1, group, receiver.url, ['alias.moved']);
            await promotedCandidate(s1, base, '1.0.0');
            const moves = 20;
            for (let i = 0; i < moves; i++) {
              const s = i % 2 ? s1 : s2;
              expect(
                (
                  await api(s, 'PUT', `${base}/aliases/a${i}`, {
                    json: { version: '1.0.0' }
                  })
                ).status
              ).toBe(200);
            }
            const got = await receiver.waitFor('alias.moved', moves, group);
            await new Promise(r => setTimeout(r, 1500)); // time for a duplicate to show up, if one were coming
            const ids = receiver
              .of('alias.moved', group)
              .map(r => r.headers['x-modelreg-delivery']);
            expect(new Set(ids).size).toBe(moves);
            expect(ids).toHaveLength(moves);
            expect(got.every(r => r.signatureValid)).toBe(true);
          } finally {
            await second.stop();
          }
        },
        90_000
      );

      test('failed attempts back off and are retried until the receiver answers 2xx; redirects are not followed', async () => {
        const s = registry.server(registry.proc!);
        const { group, base } = await setupModel(s);
        const hook = await subscribe(s, group, receiver.url, [
          'version.yanked'
        ]);
        let calls = 0;
        receiver.respond = req => {
          if (req.headers['x-modelreg-event'] !== 'version.yanked') {
            return { status: 200 };
          }
          calls += 1;
          if (calls === 1) {
            return {
              status: 302,
              headers: {
                location: `http://127.0.0.1:${receiver.port}/elsewhere`
              }
            };
          }
          if (calls === 2) {
            return { status: 503 };
          }
          return { status: 204 };
        };
        try {
          await promotedCandidate(s, base, '1.0.0');
          expect(
            (
              await api(s, 'POST', `${base}/versions/1.0.0/yank`, {
                json: { reason: 'bad data' }
              })
            ).status
          ).toBe(200);
          const got = await receiver.waitFor('version.yanked', 3, group);
          expect(
            new Set(got.map(r => r.headers['x-modelreg-delivery'])).size
          ).toBe(1);
          expect(receiver.received.some(r => r.path === '/elsewhere')).toBe(
            false
          );
          await new Promise(r => setTimeout(r, 300));
          const [d] = (
            await api(s, 'GET', `/groups/${group}/webhooks/${hook}/deliveries`)
          ).body.items;
          expect(d).toMatchObject({
            status: 'delivered',
            attempts: 3,
            last_status: 204
          });
        } finally {
          receiver.respond = () => ({ status: 200 });
        }
      }, 60_000);
    }
  );
}

describeEachBackend('webhooks: registration rules', server => {
  test('maintainers only; http(s) only; private targets refused without MODELREG_WEBHOOKS_ALLOW_PRIVATE', async () => {
    const s = server();
    const { group, model } = await setupModel(s);
    const post = (json: unknown, token?: string) =>
      api(s, 'POST', `/groups/${group}/webhooks`, {
        json,
        ...(token ? { token } : {})
      });
    const base = { secret: SECRET, events: ['version.promoted'] };
    for (const url of [
      'http://127.0.0.1:9/x',
      'http://localhost/x',
      'http://10.1.2.3/x',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]/x',
      'http://[::ffff:127.0.0.1]/x'
    ]) {
      const r = await post({ ...base, url });
      expect({ url, status: r.status, code: r.body.error?.code }).toEqual({
        url,
        status: 400,
        code: 'VALIDATION_ERROR'
      });
      expect(r.body.error.message).toContain('MODELREG_WEBHOOKS_ALLOW_PRIVATE');
    }
    expect(
      (await post({ ...base, url: 'ftp://example.com/x' })).body.error.message
    ).toContain('http://');
    expect(
      (
        await post({
          ...base,
          url: 'https://hooks.example.com/x',
          events: ['version.exploded']
        })
      ).status
    ).toBe(400);
    expect(
      (
        await post({
          ...base,
          url: 'https://hooks.example.com/x',
          secret: 'short'
        })
      ).status
    ).toBe(400);
    expect(
      (
        await post({
          ...base,
          url: 'https://hooks.example.com/x',
          model: 'nope'
        })
      ).status
    ).toBe(404);

    const created = await post({
      ...base,
      url: 'https://hooks.example.com/x',
      model
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      url: 'https://hooks.example.com/x',
      events: ['version.promoted'],
      model
    });
    expect(JSON.stringify(created.body)).not.toContain(SECRET);
    const listed = await api(s, 'GET', `/groups/${group}/webhooks`);
    expect(listed.body.items.map((h: any) => h.id)).toEqual([created.body.id]);
    expect(JSON.stringify(listed.body)).not.toContain(SECRET);

    // A developer may not see or add webhooks.
    const dev = await api(s, 'POST', '/users', {
      json: { username: `dev${crypto.randomBytes(3).toString('hex')}` }
    });
    const token = (
      await api(s, 'POST', `/users/${dev.body.username}/tokens`, {
        json: { name: 't' }
      })
    ).body.token;
    await api(s, 'PUT', `/groups/${group}/members/${dev.body.username}`, {
      json: { role: 'developer' }
    });
    expect(
      (await post({ ...base, url: 'https://hooks.example.com/y' }, token))
        .status
    ).toBe(403);
    expect(
      (await api(s, 'GET', `/groups/${group}/webhooks`, { token })).status
    ).toBe(403);

    expect(
      (await api(s, 'DELETE', `/groups/${group}/webhooks/${created.body.id}`))
        .status
    ).toBe(204);
    expect(
      (await api(s, 'DELETE', `/groups/${group}/webhooks/${created.body.id}`))
        .status
    ).toBe(404);
  });
});
