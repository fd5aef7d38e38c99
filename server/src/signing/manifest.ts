import crypto from 'node:crypto';
import type { Db, VersionRow } from '../db/database';
import { nowIso } from '../db/database';
import { versionViews } from '../repos/version-view';
import type { SigningKey } from './key';

/*
 * A version's signature is an OpenSSF model-signing v1.0 statement (in-toto Statement v1, predicate
 * "https://model_signing/signature/v1.0", one resource per file) in a DSSE envelope inside a Sigstore
 * bundle (v0.3, public-key verification material). model-signing's own verifier accepts only ECDSA
 * keys; this one is Ed25519, so the envelope is checked by the modelreg client (docs/signing.md).
 * The registry's own facts (sizes, params, metrics, card revision) sit in `predicate.modelreg`,
 * which model-signing v1.0 verifiers ignore.
 */
export const PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const BUNDLE_MEDIA_TYPE =
  'application/vnd.dev.sigstore.bundle.v0.3+json';
export const PREDICATE_TYPE = 'https://model_signing/signature/v1.0';
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';

type VersionView = Awaited<ReturnType<typeof versionViews>>[number];

/** DSSE's pre-authentication encoding: what is actually signed. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType);
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `),
    type,
    Buffer.from(` ${payload.length} `),
    payload
  ]);
}

/** The in-toto statement for one version, from its API view (what a client checks against). */
export function versionStatement(view: VersionView) {
  const files = [...view.files].sort((x, y) =>
    x.path < y.path ? -1 : x.path > y.path ? 1 : 0
  );
  // model-signing's subject digest: sha256 over the resources' raw digests, in their order.
  const root = crypto.createHash('sha256');
  for (const f of files) {
    root.update(Buffer.from(f.sha256, 'hex'));
  }
  return {
    _type: STATEMENT_TYPE,
    subject: [
      {
        name: `${view.model}@${view.version}`,
        digest: { sha256: root.digest('hex') }
      }
    ],
    predicateType: PREDICATE_TYPE,
    predicate: {
      serialization: {
        method: 'files',
        hash_type: 'sha256',
        allow_symlinks: false,
        ignore_paths: []
      },
      resources: files.map(f => ({
        name: f.path,
        algorithm: 'sha256',
        digest: f.sha256
      })),
      modelreg: {
        model: view.model,
        version: view.version,
        candidate: view.candidate,
        files,
        params: view.params,
        metrics: view.metrics,
        card_revision: view.card_revision,
        promoted_by: view.created_by,
        promoted_at: view.created_at
      }
    }
  };
}

/** A Sigstore bundle holding the DSSE envelope of `statement`, signed with `key`. */
export function signStatement(key: SigningKey, statement: unknown) {
  const payload = Buffer.from(JSON.stringify(statement));
  const sig = key.sign(pae(PAYLOAD_TYPE, payload));
  return {
    mediaType: BUNDLE_MEDIA_TYPE,
    verificationMaterial: {
      publicKey: { hint: key.keyId },
      tlogEntries: []
    },
    dsseEnvelope: {
      payload: payload.toString('base64'),
      payloadType: PAYLOAD_TYPE,
      signatures: [{ sig: sig.toString('base64'), keyid: key.keyId }]
    }
  };
}

/**
 * Signs `rows` (versions of one model, named `modelFullName`) and stores the bundles, replacing older
 * ones (a rename re-signs under the new name). Runs inside the promoting transaction, so a version
 * never exists unsigned.
 */
export async function signVersions(
  db: Db,
  key: SigningKey,
  rows: VersionRow[],
  modelFullName: string
): Promise<void> {
  for (const view of await versionViews(db, rows, modelFullName)) {
    const row = rows.find(r => r.version === view.version)!;
    const envelope = JSON.stringify(signStatement(key, versionStatement(view)));
    await db
      .insertInto('version_signatures')
      .values({
        version_id: row.id,
        key_id: key.keyId,
        envelope,
        created_at: nowIso()
      })
      .onConflict(oc =>
        oc
          .column('version_id')
          .doUpdateSet({ key_id: key.keyId, envelope, created_at: nowIso() })
      )
      .execute();
  }
}

/** Versions promoted before signing existed are signed once, at start (no-op afterwards). */
export async function signUnsignedVersions(
  db: Db,
  key: SigningKey
): Promise<number> {
  const rows = await db
    .selectFrom('versions')
    .leftJoin(
      'version_signatures',
      'version_signatures.version_id',
      'versions.id'
    )
    .innerJoin('models', 'models.id', 'versions.model_id')
    .innerJoin('groups', 'groups.id', 'models.group_id')
    .selectAll('versions')
    .select(['models.name as model_name', 'groups.name as group_name'])
    .where('version_signatures.version_id', 'is', null)
    .execute();
  for (const row of rows) {
    await signVersions(db, key, [row], `${row.group_name}/${row.model_name}`);
  }
  return rows.length;
}

/** Re-signs every version of a model after a rename, so the signed name is the one clients ask for. */
export async function resignModel(
  db: Db,
  key: SigningKey,
  modelId: number,
  modelFullName: string
): Promise<void> {
  const rows = await db
    .selectFrom('versions')
    .selectAll()
    .where('model_id', '=', modelId)
    .execute();
  await signVersions(db, key, rows, modelFullName);
}
