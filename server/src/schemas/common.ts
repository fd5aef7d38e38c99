import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { NAME_MAX_LENGTH, NAME_RE, ROLES, type Role } from '../domain/roles';
import { ERROR_CODES, type ErrorCode } from '../errors';

/** Shapes shared by several route groups; route-specific schemas live next to their routes. */
// An enum rather than a union of literals: the OpenAPI document then lists the codes in one place.
export const ErrorCodeSchema = Type.Unsafe<ErrorCode>({
  type: 'string',
  enum: [...ERROR_CODES]
});

export const ErrorBody = Type.Object(
  {
    error: Type.Object({ code: ErrorCodeSchema, message: Type.String() })
  },
  {
    $id: 'Error',
    description: 'Every error: a machine code and a message a user can act on'
  }
);

/** A role in a group, weakest first: guest, reporter, developer, maintainer, owner. */
export const RoleSchema = Type.Unsafe<Role>({
  type: 'string',
  enum: [...ROLES]
});

export type ErrorBodyValue = Static<typeof ErrorBody>;

export const errorRef = Type.Ref('Error');

// The extension validates its forms with this pattern and length (src/generated/names.ts).
export const Name = Type.String({
  pattern: NAME_RE.source,
  maxLength: NAME_MAX_LENGTH,
  description: 'letters, digits, ".", "_", "-"'
});

export const GroupParams = Type.Object({ group: Type.String() });
export const ModelParams = Type.Object({
  group: Type.String(),
  model: Type.String()
});
export const CandidateParams = Type.Object({
  group: Type.String(),
  model: Type.String(),
  iid: Type.Integer({ minimum: 1 })
});
export const VersionParams = Type.Object({
  group: Type.String(),
  model: Type.String(),
  version: Type.String({ description: 'a version, an alias name or "latest"' })
});

export const Paging = {
  cursor: Type.Optional(
    Type.String({ description: 'next_cursor of the previous page' })
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 }))
};

export const FreeObject = Type.Record(Type.String(), Type.Unknown());
export const StringMap = Type.Record(Type.String(), Type.String());

/**
 * Params and tags per request (security, issue 14): 10,923 of them once overflowed SQLite's bound-variable
 * limit (a 500). MLflow takes 100 params per log-batch; a candidate takes up to this many per request.
 */
export const MAX_KEYS_PER_REQUEST = 1000;
export const BoundedStringMap = Type.Record(Type.String(), Type.String(), {
  maxProperties: MAX_KEYS_PER_REQUEST,
  description: `at most ${MAX_KEYS_PER_REQUEST} keys per request`
});

export const Metric = Type.Object({
  key: Type.String({ minLength: 1, maxLength: 250 }),
  value: Type.Number(),
  // (reliability) Bounded to safe integers: larger ones came back as floats (7.36e+36) and overflow PostgreSQL's bigint.
  step: Type.Optional(
    Type.Integer({
      minimum: Number.MIN_SAFE_INTEGER,
      maximum: Number.MAX_SAFE_INTEGER
    })
  ),
  timestamp: Type.Optional(
    Type.Integer({
      minimum: Number.MIN_SAFE_INTEGER,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'milliseconds since epoch'
    })
  )
});

export type MetricInput = Static<typeof Metric>;

/** The one list envelope: every REST list answers {items, next_cursor}; null on the last page. */
export function page<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    next_cursor: Type.Union([Type.String(), Type.Null()])
  });
}

/** A list that always fits in one page (a manifest, the members of a group): the same envelope. */
export const onePage = <T>(items: T[]) => ({ items, next_cursor: null });

/** Errors every authenticated route may answer with, for the OpenAPI document. */
// 413 (body/JSON limits) and 429 (auth-failure throttling) come from the limits plugin, on any route.
export const commonErrors = {
  400: errorRef,
  401: errorRef,
  403: errorRef,
  404: errorRef,
  413: errorRef,
  429: errorRef
};
