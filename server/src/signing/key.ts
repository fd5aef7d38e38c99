import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The instance's Ed25519 key: it signs every promoted version's manifest (docs/signing.md). */
export interface SigningKey {
  /** sha256 (hex) of the public key's PEM (SPKI): the bundle's `publicKey.hint`, as model-signing does. */
  readonly keyId: string;
  readonly publicKeyPem: string;
  sign(data: Buffer): Buffer;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Signs version manifests at promotion; its public half is GET /api/v1/signing-key. */
    signingKey: SigningKey;
  }
}

export const SIGNING_KEY_FILE = 'signing-key.pem';

function fromPrivateKey(privateKey: crypto.KeyObject): SigningKey {
  const publicKeyPem = crypto
    .createPublicKey(privateKey)
    .export({ type: 'spki', format: 'pem' })
    .toString();
  return {
    keyId: crypto.createHash('sha256').update(publicKeyPem).digest('hex'),
    publicKeyPem,
    sign: data => crypto.sign(null, data, privateKey)
  };
}

/** A key that lives only in memory (an app built without a data dir). */
export function ephemeralSigningKey(): SigningKey {
  return fromPrivateKey(crypto.generateKeyPairSync('ed25519').privateKey);
}

/**
 * The key in `file` (PKCS#8 PEM), created 0600 on first start. Several processes may start on one
 * data dir at once: each writes its own temporary file and links it into place, and the first link
 * wins, so they all end up signing with the same key.
 */
export function loadOrCreateSigningKey(file: string): SigningKey {
  if (!fs.existsSync(file)) {
    const pem = crypto
      .generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' });
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(tmp, pem, { mode: 0o600 });
    try {
      fs.linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw err;
      }
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey(fs.readFileSync(file));
  } catch (err) {
    throw new Error(
      `the signing key ${file} cannot be read (${(err as Error).message}); restore it from a backup, or move it away to start a new key (clients that pinned the old one will then refuse to pull until they re-pin it)`
    );
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(
      `the signing key ${file} is a ${privateKey.asymmetricKeyType} key; modelreg signs with Ed25519`
    );
  }
  return fromPrivateKey(privateKey);
}
