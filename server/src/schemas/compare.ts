import { Type, type Static, type TSchema } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const MetricPoint = Type.Object({
  step: Type.Integer(),
  value: Type.Number(),
  timestamp: Type.Integer({ description: 'milliseconds since epoch' })
});

const FileEntry = Type.Object({ sha256: Type.String(), size: Type.Integer() });

/** GET .../compare: one column per ref, in the order asked; rows are keys sorted by name. */
export const CompareSchema = Type.Object(
  {
    items: Type.Array(
      Type.Object({
        ref: Type.String({ description: 'as asked: c:<iid> or v:<version>' }),
        kind: Type.Union([Type.Literal('candidate'), Type.Literal('version')]),
        iid: Type.Integer(),
        version: Nullable(
          Type.String({ description: 'the version the candidate became' })
        ),
        name: Type.String()
      })
    ),
    params: Type.Array(
      Type.Object({
        key: Type.String(),
        values: Type.Array(Nullable(Type.String()), {
          description: 'one per item; null where the item lacks the param'
        }),
        differs: Type.Boolean()
      })
    ),
    metrics: Type.Array(
      Type.Object({
        key: Type.String(),
        values: Type.Array(Nullable(Type.Number()), {
          description: 'the last value (highest step, then timestamp) per item'
        }),
        best: Nullable(
          Type.Integer({ description: 'index into items of the best value' })
        ),
        goal: Type.Union([Type.Literal('max'), Type.Literal('min')]),
        history: Type.Array(Type.Array(MetricPoint), {
          description: 'the full history per item'
        })
      })
    ),
    files: Type.Array(
      Type.Object({
        path: Type.String(),
        entries: Type.Array(Nullable(FileEntry)),
        status: Type.Union(
          [
            Type.Literal('same'),
            Type.Literal('changed'),
            Type.Literal('added'),
            Type.Literal('removed')
          ],
          { description: 'of the other items against the first' }
        )
      })
    )
  },
  { $id: 'Compare' }
);
export type CompareView = Static<typeof CompareSchema>;
