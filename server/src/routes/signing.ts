import {
  Type,
  type FastifyPluginAsyncTypebox
} from '@fastify/type-provider-typebox';
import { routeModelAccess } from '../access';
import { ApiError } from '../errors';
import { commonErrors, VersionParams } from '../schemas/common';
import { resolveVersion } from '../repos/versions';

const Bundle = Type.Object(
  {
    mediaType: Type.String(),
    verificationMaterial: Type.Object({
      publicKey: Type.Object({ hint: Type.String() }),
      tlogEntries: Type.Array(Type.Unknown())
    }),
    dsseEnvelope: Type.Object({
      payload: Type.String({ description: 'base64 of the in-toto statement' }),
      payloadType: Type.String(),
      signatures: Type.Array(
        Type.Object({ sig: Type.String(), keyid: Type.String() })
      )
    })
  },
  {
    description:
      'A Sigstore bundle (v0.3) with a DSSE envelope over an OpenSSF model-signing v1.0 statement, signed with Ed25519; see docs/signing.md'
  }
);

/** The instance's public key and each version's signed manifest (docs/signing.md). */
export const signingRoutes: FastifyPluginAsyncTypebox = async app => {
  app.get(
    '/signing-key',
    {
      schema: {
        tags: ['signing'],
        summary:
          "The instance's Ed25519 public key, which signs every promoted version (clients pin it on first use)",
        security: [],
        response: {
          200: Type.Object({
            algorithm: Type.Literal('ed25519'),
            key_id: Type.String({
              description: 'sha256 (hex) of public_key_pem'
            }),
            public_key_pem: Type.String()
          })
        }
      }
    },
    async () => ({
      algorithm: 'ed25519' as const,
      key_id: app.signingKey.keyId,
      public_key_pem: app.signingKey.publicKeyPem
    })
  );

  app.get(
    '/models/:group/:model/versions/:version/signature',
    {
      schema: {
        tags: ['signing'],
        summary:
          "The version's signed manifest: paths, sizes, sha256s, params, metrics, card revision",
        params: VersionParams,
        response: { 200: Bundle, ...commonErrors }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      const version = await resolveVersion(
        app.db,
        a.model.id,
        request.params.version
      );
      const row = await app.db
        .selectFrom('version_signatures')
        .select('envelope')
        .where('version_id', '=', version.id)
        .executeTakeFirst();
      if (!row) {
        throw new ApiError(
          'NOT_FOUND',
          `version ${version.version} of ${a.group.name}/${a.model.name} has no signature; restart the registry (it signs unsigned versions at start) and retry`
        );
      }
      return JSON.parse(row.envelope);
    }
  );
};
