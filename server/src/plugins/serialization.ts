import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

type Serialize = (data: unknown) => string;
type BuildSerializer = ReturnType<typeof SerializerSelector>;

/**
 * Fastify's own response serializers (fast-json-stringify), each compiled on its route's first response
 * instead of at start-up: compiling every route's schemas cost ~97 MB of allocation and most of an idle
 * process's RSS (docs/benchmarks.md), while a process answers only a few of its routes. Same output, same
 * errors at the first response that needs the serializer.
 */
export const lazySerializers: BuildSerializer = (
  externalSchemas,
  serializerOpts
) => {
  const compile = SerializerSelector()(externalSchemas, serializerOpts);
  return route => {
    let serialize: Serialize | undefined;
    return (data: unknown) => {
      serialize ??= compile(route) as Serialize;
      return serialize(data);
    };
  };
};
