import Ajv from 'ajv';
import type { FastifyInstance } from 'fastify';

/**
 * Bodies are validated without type coercion, so {"name": 123} is a 400 and not "123".
 * Path and query strings are always text, so those are coerced ("?limit=10" -> 10).
 */
export function installValidation(app: FastifyInstance): void {
  const base = { allErrors: false, strict: false, useDefaults: true } as const;
  const strictAjv = new Ajv({ ...base, coerceTypes: false });
  const coercingAjv = new Ajv({
    ...base,
    coerceTypes: 'array',
    removeAdditional: true
  });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strictAjv : coercingAjv).compile(schema)
  );
}
