import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { spawnRegistry } from './support/registry';
import { api, setupModel } from './helpers/api';
import { describeEachBackend, type TestServer } from './helpers/server';

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const CLI = path.join(__dirname, '..', 'dist', 'cli.js');

function pae(type: string, body: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${body.length} `),
    body
  ]);
}

/** Checks a bundle against a PEM public key; returns the signed statement. */
function verifyBundle(bundle: any, publicKeyPem: string): any {
  const env = bundle.dsseEnvelope;
  const payload = Buffer.from(env.payload, 'base64');
  const ok = crypto.verify(
    null,
    pae(env.payloadType, payload),
    crypto.createPublicKey(publicKeyPem),
    Buffer.from(env.signatures[0].sig, 'base64')
  );
  expect(ok).toBe(true);
  return JSON.parse(payload.toString());
}

async function promotedVersion(s: TestServer) {
  const { group, model, base } = await setupModel(s);
  const c = await api(s, 'POST', `${base}/candidates`, {
    json: { params: { lr: '0.1', depth: '3' } }
  });
  await api(s, 'POST', `${base}/candidates/${c.body.iid}/metrics`, {
    json: [{ key: 'acc', value: 0.93, step: 1 }]
  });
  for (const [name, bytes] of [
    ['weights/model.bin', Buffer.from('weights-bytes')],
    ['config.json', Buffer.from('{"layers": 3}')]
  ] as const) {
    expect(
      (
        await api(
          s,
          'PUT',
          `${base}/candidates/${c.body.iid}/artifacts/${name}`,
          {
            body: bytes
          }
        )
      ).status
    ).toBe(201);
  }
  const v = await api(s, 'POST', `${base}/versions`, {
    json: { version: '1.0.0', candidate: c.body.iid }
  });
  expect(v.status).toBe(201);
  return { group, model, base, version: v.body };
}

describeEachBackend('signing', server => {
  test('a promoted version is signed with the instance key over its files, params, metrics and card revision', async () => {
    const s = server();
    const key = await api(s, 'GET', '/signing-key', { token: null });
    expect(key.status).toBe(200);
    expect(key.body.algorithm).toBe('ed25519');
    expect(key.body.key_id).toBe(sha(Buffer.from(key.body.public_key_pem)));

    const { group, model, base, version } = await promotedVersion(s);
    const sig = await api(s, 'GET', `${base}/versions/1.0.0/signature`);
    expect(sig.status).toBe(200);
    expect(sig.body.mediaType).toBe(
      'application/vnd.dev.sigstore.bundle.v0.3+json'
    );
    expect(sig.body.verificationMaterial.publicKey.hint).toBe(key.body.key_id);
    const statement = verifyBundle(sig.body, key.body.public_key_pem);
    expect(statement._type).toBe('https://in-toto.io/Statement/v1');
    expect(statement.predicateType).toBe(
      'https://model_signing/signature/v1.0'
    );
    expect(statement.subject[0].name).toBe(`${group}/${model}@1.0.0`);
    expect(statement.predicate.resources).toEqual([
      {
        name: 'config.json',
        algorithm: 'sha256',
        digest: sha(Buffer.from('{"layers": 3}'))
      },
      {
        name: 'weights/model.bin',
        algorithm: 'sha256',
        digest: sha(Buffer.from('weights-bytes'))
      }
    ]);
    const root = crypto.createHash('sha256');
    for (const r of statement.predicate.resources) {
      root.update(Buffer.from(r.digest, 'hex'));
    }
    expect(statement.subject[0].digest.sha256).toBe(root.digest('hex'));
    const signed = statement.predicate.modelreg;
    expect(signed.files).toEqual(version.files);
    expect(signed.params).toEqual({ lr: '0.1', depth: '3' });
    expect(signed.metrics).toEqual(version.metrics);
    expect(signed.card_revision).toBe(version.card_revision);
    expect(signed.version).toBe('1.0.0');

    // The signature is readable exactly where the version is.
    const outsider = await api(s, 'POST', '/users', {
      json: { username: `out${Date.now()}` }
    });
    const token = (
      await api(s, 'POST', `/users/${outsider.body.username}/tokens`, {
        json: { name: 't' }
      })
    ).body.token;
    expect(
      (await api(s, 'GET', `${base}/versions/1.0.0/signature`, { token }))
        .status
    ).toBe(404);
    expect(
      (await api(s, 'GET', `${base}/versions/9.9.9/signature`)).status
    ).toBe(404);
  });

  test('a renamed model is re-signed under its new name', async () => {
    const s = server();
    const { group, base } = await promotedVersion(s);
    const renamed = await api(s, 'POST', `${base}/rename`, {
      json: { name: 'renamed' + Date.now() }
    });
    expect(renamed.status).toBe(200);
    const key = (await api(s, 'GET', '/signing-key')).body.public_key_pem;
    const sig = await api(
      s,
      'GET',
      `/models/${group}/${renamed.body.name}/versions/1.0.0/signature`
    );
    const statement = verifyBundle(sig.body, key);
    expect(statement.predicate.modelreg.model).toBe(
      `${group}/${renamed.body.name}`
    );
  });
});

describe('signing key on one data dir', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-sign-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  test('the key is created 0600 once, survives restarts, and versions left unsigned are signed at start', async () => {
    const token = 'mr_sign_' + crypto.randomBytes(8).toString('hex');
    const env = { MODELREG_ADMIN_TOKEN: token, MODELREG_DATABASE_URL: '' };
    // Two processes on one data dir sign with one key.
    const a = await spawnRegistry({ dataDir, env, cli: CLI });
    const b = await spawnRegistry({ dataDir, env, cli: CLI });
    let keyPem: string;
    let base: string;
    try {
      const sa = { url: a.url, adminToken: token } as TestServer;
      const sb = { url: b.url, adminToken: token } as TestServer;
      keyPem = (await api(sa, 'GET', '/signing-key')).body.public_key_pem;
      expect((await api(sb, 'GET', '/signing-key')).body.public_key_pem).toBe(
        keyPem
      );
      ({ base } = await promotedVersion(sa));
    } finally {
      await a.stop();
      await b.stop();
    }
    const keyFile = path.join(dataDir, 'signing-key.pem');
    expect((fs.statSync(keyFile).mode & 0o777).toString(8)).toBe('600');
    expect(fs.readdirSync(dataDir).filter(f => f.endsWith('.tmp'))).toEqual([]);

    const db = new Database(path.join(dataDir, 'registry.sqlite'));
    expect(db.prepare('delete from version_signatures').run().changes).toBe(1);
    db.close();
    const c = await spawnRegistry({ dataDir, env, cli: CLI });
    try {
      const sc = { url: c.url, adminToken: token } as TestServer;
      expect((await api(sc, 'GET', '/signing-key')).body.public_key_pem).toBe(
        keyPem
      );
      const sig = await api(sc, 'GET', `${base}/versions/1.0.0/signature`);
      expect(sig.status).toBe(200);
      verifyBundle(sig.body, keyPem);
    } finally {
      await c.stop();
    }
  }, 180_000); // three registry starts
});
