import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>;
type SerializerFactory = NonNullable<CompilersFactory['buildSerializer']>;

const load = createRequire(import.meta.url);
let validators: ValidatorFactory | undefined;
let serializers: SerializerFactory | undefined;

/**
 * Fastify's own JSON Schema compilers (Ajv for input, fast-json-stringify for output), loaded only
 * when a route declares a JSON schema. None does (zod checks input in the handlers), while Fastify
 * loads both as it is created: ~10-15 ms of a cold start. Given as factories they count as custom
 * compilers, which changes one thing only: a `headers` schema's keys are not lower-cased for them.
 */
export const schemaCompilersOnDemand: CompilersFactory = {
  buildValidator: (externalSchemas, options) => {
    validators ??= (load('@fastify/ajv-compiler') as () => ValidatorFactory)();
    return validators(externalSchemas, options);
  },
  buildSerializer: (externalSchemas, options) => {
    serializers ??= (load('@fastify/fast-json-stringify-compiler') as () => SerializerFactory)();
    return serializers(externalSchemas, options);
  },
};
