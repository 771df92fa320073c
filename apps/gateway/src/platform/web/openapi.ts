import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import * as z from 'zod';
import type { PersonWithRoles } from '../../modules/people/people.repository.ts';
import { apiIssueMessage, SEND_A_JSON_OBJECT } from './api-words.ts';
import { APP_ERROR_STATUS, AppError, type AppErrorCode, BODY_NOT_VALID } from './errors.ts';

/**
 * The JSON API's operations and its OpenAPI 3.1 document, from one declaration per operation.
 *
 * A module calls `apiRoute(app, operation, handler)`: the same zod schemas check the request in
 * the handler and describe it in /api/openapi.json, so the document cannot drift from the code.
 */

/** The document's version: its major moves when a client built on the last one could break (docs/api.md, Versions). */
export const API_VERSION = '2.3.0';

export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A zod schema whose output is an object of named values: path parameters or the query string. */
export type ApiObjectSchema = z.ZodType<Record<string, unknown>>;

export interface ApiOperation<
  Params extends ApiObjectSchema | undefined,
  Query extends ApiObjectSchema | undefined,
  Body extends z.ZodType | undefined,
  Response extends z.ZodType,
> {
  method: ApiMethod;
  /** OpenAPI style, under /api/: `/api/orders/{reference}`. */
  path: `/api/${string}`;
  /** Unique across the API, camelCase: what client generators name the call. */
  operationId: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  params?: Params;
  query?: Query;
  /** A JSON request body. */
  body?: Body;
  /** Instead of JSON, the raw bytes of one file (e.g. a PDF), handed to the handler as `upload`. */
  upload?: { contentType: string; maxBytes: number; description: string };
  /** A JSON body's largest size in bytes, for an operation whose body may be larger than the app's 1 MiB. */
  bodyLimit?: number;
  /** The success answer's body. What the handler returns is parsed with it, so only documented fields go out. */
  response: Response;
  /** The success status; 200 unless given. */
  status?: 200 | 201 | 202;
  /**
   * For a 201 that created something with an address of its own: that GET operation's path, its
   * {names} filled from the answer's fields of the same names (`/api/orders/{reference}`). The
   * answer's Location header says it (RFC 9110), and the document lists the header.
   */
  location?: `/api/${string}`;
  /** Failures the handler itself may answer with (AppError codes), for the document. */
  errors?: AppErrorCode[];
}

/**
 * The query of a list answered in pages: `limit` (1 to `max`; `max` when left out) and `offset`
 * (from 0). Its answer carries `total`, `limit` and `offset` (pageFields(max)), so a caller reads
 * on until offset + limit reaches total.
 */
export function pageQuery(max: number) {
  return z.strictObject({
    limit: pageNumber(
      'limit',
      pageWholeNumber('limit')
        .min(1, 'The limit is at least 1')
        .max(max, `The limit is at most ${max}`)
        .default(max)
        .describe(`How many to answer with, 1 to ${max}.`),
    ),
    offset: pageNumber(
      'offset',
      pageWholeNumber('offset')
        .min(0, 'The offset is at least 0')
        .default(0)
        .describe('How many to skip, from the first.'),
    ),
  });
}

function pageWholeNumber(name: 'limit' | 'offset') {
  return z.int({
    error: (issue) => (Array.isArray(issue.input) ? `Give the ${name} once` : `The ${name} is a whole number`),
  });
}

/**
 * A paging parameter: plain digits only (not 0x10, 1e1, +5 or " 5", which Number() reads as
 * numbers; a minus sign makes it too small, as its bound says), given once (?limit=2&limit=3 arrives as a list), each refused with its own message.
 */
function pageNumber<T extends z.ZodType>(name: 'limit' | 'offset', schema: T) {
  return z
    .preprocess((value) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value), schema)
    .describe(schema.description ?? name);
}

/**
 * The bounds of a whole number in an answer, for the document only (`z.int().meta(documentedBounds(1,
 * MAXIMUM_TB))`): what the rules that wrote it keep, where z.int() alone would say any integer from
 * −2^53 to 2^53, negative sizes and ids included. An answer is not refused for them. Without a
 * maximum, the largest safe integer, as z.int() has. A request's whole numbers take wholeNumber;
 * a usage reading's usedBytes, which usage-readings.ts rejects in the answer rather than refusing, these.
 */
export function documentedBounds(minimum: number, maximum = Number.MAX_SAFE_INTEGER) {
  return { minimum, maximum };
}

/** What a whole number of a request body is refused with: its page's words, where it has a page. */
export interface WholeNumberWords {
  /** For anything but a whole number: a fraction (1.5), a string (even "5"), true, null. */
  notWhole: string;
  /** For a required field left out (an optional one never is); notWhole if not given. */
  missing?: string;
  /** For a number below the minimum; without it, the service's words (see wholeNumber). */
  tooSmall?: string;
  /** For a number above the maximum (1e21 included); without it, the service's words (see wholeNumber). */
  tooLarge?: string;
}

/**
 * A whole number of a request body, as JSON sends it: a number without a fraction, from `minimum`
 * to `maximum`, the bounds the document states. Anything else is a 422 for the field in its own
 * words (`words`, the page's for that field), never zod's ("Invalid input: expected int, received
 * number"). A number outside the bounds is refused with `tooSmall` or `tooLarge`; where the service
 * refuses it instead, in words that may name the product or the licence (`The size must be at
 * least 5 TB`, `add at most 9,995 TB`), the number is handed on as the nearest one outside the
 * bounds (minimum − 1, maximum + 1), so that 1e21 is refused as too large, as 10,001 is and as the
 * page refuses it, not as something other than a number.
 *
 * ```ts
 * sizeTb: wholeNumber({ minimum: 1, maximum: MAXIMUM_TB }, { missing: 'Enter the size in TB', notWhole: '…' }),
 * ```
 */
export function wholeNumber(bounds: { minimum: number; maximum?: number }, words: WholeNumberWords) {
  const { minimum, maximum = Number.MAX_SAFE_INTEGER } = bounds;
  if (words.tooLarge === undefined && !Number.isSafeInteger(maximum + 1)) {
    throw new Error(
      'wholeNumber: without tooLarge, the maximum is below the largest safe integer (maximum + 1 is handed on)',
    );
  }
  // A fraction, a string or null is invalid_type; a number outside the safe integers is too_big or
  // too_small (z.int()'s own check), as are the bounds checked here.
  let schema = z.int({
    error: (issue) => {
      if (issue.input === undefined) return words.missing ?? words.notWhole;
      if (issue.code === 'too_big') return words.tooLarge ?? words.notWhole;
      if (issue.code === 'too_small') return words.tooSmall ?? words.notWhole;
      return words.notWhole;
    },
  });
  if (words.tooSmall !== undefined) schema = schema.min(minimum, words.tooSmall);
  if (words.tooLarge !== undefined) schema = schema.max(maximum, words.tooLarge);
  const handedOn = (value: unknown) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) return value;
    if (value < minimum && words.tooSmall === undefined) return minimum - 1;
    if (value > maximum && words.tooLarge === undefined) return maximum + 1;
    return value;
  };
  return z.preprocess(handedOn, schema).meta({ minimum, maximum });
}

const NOT_AN_ID = 'An id is a whole number, such as 42';

/** The path of an operation on one thing by its number (/api/licences/{id}): 400 with one message for anything else. */
export const idParams = z.object({
  // Plain digits only, as the paging parameters: Number() would read /api/licences/0x10 as 16.
  id: z.preprocess(
    (value) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value),
    z.int({ error: NOT_AN_ID }).positive(NOT_AN_ID),
  ),
});

/** A thing's number in an answer (a licence's, a storage project's), as idParams takes it: from 1. */
export const idAnswer = z.int().meta(documentedBounds(1));

/** The paging fields of a list's answer, paged by pageQuery(max): how many there are in all, and the page answered. */
export function pageFields(max: number) {
  return {
    total: z.int().meta(documentedBounds(0)).describe('How many there are in all, on every page.'),
    limit: z.int().meta(documentedBounds(1, max)),
    offset: z.int().meta(documentedBounds(0)),
  };
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface ApiInput<Params, Query, Body> {
  params: Parsed<Params>;
  query: Parsed<Query>;
  body: Parsed<Body>;
  /** The uploaded file's bytes, for an operation that declares `upload`. */
  upload: Buffer | undefined;
  /** The caller, signed in by session or by personal access token: every operation requires one. */
  person: PersonWithRoles;
  request: FastifyRequest;
  reply: FastifyReply;
}

export type ApiHandler<Params, Query, Body, Response extends z.ZodType> = (
  input: ApiInput<Params, Query, Body>,
) => Promise<z.input<Response>> | z.input<Response>;

/** The error every operation answers with: the one the error handler sends for /api/. */
export const apiErrorSchema = z.object({
  error: z.object({
    status: z.int().meta(documentedBounds(400, 599)).describe('The HTTP status, repeated.'),
    code: z
      .enum([...(Object.keys(APP_ERROR_STATUS) as [AppErrorCode, ...AppErrorCode[]]), 'internal-error'])
      .describe('Machine-readable, one per status; internal-error is a 500.'),
    title: z.string(),
    message: z.string().describe('A sentence safe to show to a person.'),
    requestId: z.string().describe('Quote it to the service desk.'),
    fields: z
      .record(z.string(), z.string())
      .optional()
      .describe('For bad input: a message per field, keyed by its name or dotted path (managers.0.crsid).'),
  }),
});

type JsonSchema = Record<string, unknown>;

type AnyApiOperation = ApiOperation<
  ApiObjectSchema | undefined,
  ApiObjectSchema | undefined,
  z.ZodType | undefined,
  z.ZodType
>;

interface RecordedOperation {
  method: ApiMethod;
  path: string;
  /** Where a 201 says its new thing is read: a GET operation's path. */
  location?: string;
  operation: JsonSchema;
  /** Schemas to hoist into components, with the io they were converted for. */
  schemas: Array<{ schema: JsonSchema; io: 'input' | 'output' }>;
}

export interface ApiPluginOptions {
  publicUrl: string;
  serviceName: string;
  /** The session cookie's name, for the document's sessionCookie scheme. */
  sessionCookieName: string;
  /** Requests per minute per person (per address when not signed in), across the whole API. */
  rateLimitPerMinute: number;
}

/** What apiRoute records into; one per app, so test apps in one process do not share operations. */
export class ApiRegistry {
  private readonly operations: AnyApiOperation[] = [];
  private readonly operationIds = new Set<string>();
  private document: JsonSchema | undefined;

  constructor(
    private readonly options: ApiPluginOptions,
    readonly rateLimiter: preHandlerAsyncHookHandler,
  ) {}

  /** Records an operation; what it says is turned into JSON Schema only when the document is built. */
  add(operation: AnyApiOperation): void {
    const { operationId, method, path } = operation;
    if (this.operationIds.has(operationId)) throw new Error(`API operationId ${operationId} is declared twice`);
    if (this.operations.some((other) => other.method === method && other.path === path)) {
      throw new Error(`API operation ${method} ${path} is declared twice`);
    }
    this.operationIds.add(operationId);
    this.operations.push(operation);
    this.document = undefined;
  }

  /**
   * The WWW-Authenticate header of a 401 (RFC 6750): the scheme to authenticate with, and
   * error="invalid_token" when a token came that is expired, revoked or unknown.
   */
  bearerChallenge(tokenRefused: boolean): string {
    // A quoted-string of printable ASCII: no quote or backslash, nothing a header cannot carry.
    const realm = `realm="${this.options.serviceName.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '')} API"`;
    return tokenRefused ? `Bearer ${realm}, error="invalid_token"` : `Bearer ${realm}`;
  }

  /**
   * The OpenAPI 3.1 document, built once from every operation declared so far, on its first
   * request rather than at start-up (converting every schema was ~70 ms of a cold start). A schema
   * that cannot be documented throws here: test/api/openapi.test.ts builds the whole app's.
   */
  openApiDocument(): JsonSchema {
    this.document ??= buildDocument(this.operations.map(describeOperation), this.options);
    return this.document;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    openApi: ApiRegistry;
  }
  interface FastifyContextConfig {
    /** An API operation's body type (JSON, or its upload's), for the error handler's 422 when a body cannot be read. */
    apiBodyType?: string;
  }
}

/**
 * The API's shared parts: the registry apiRoute writes to, the per-person rate limit, and the
 * document at /api/openapi.json (and /api/swagger.json, where the original served it). Register
 * it after @fastify/rate-limit and the identity plugin, before any module's routes.
 */
async function apiPlugin(app: FastifyInstance, options: ApiPluginOptions): Promise<void> {
  const rateLimiter = app.rateLimit({
    max: options.rateLimitPerMinute,
    timeWindow: '1 minute',
    keyGenerator: (request) => (request.person ? `api-person:${request.person.id}` : `api-ip:${request.ip}`),
  });
  app.decorate('openApi', new ApiRegistry(options, rateLimiter));
  for (const url of ['/api/openapi.json', '/api/swagger.json']) {
    app.get(url, { preHandler: rateLimiter }, async () => app.openApi.openApiDocument());
  }
}

export default fp(apiPlugin, { name: 'api', dependencies: ['@fastify/rate-limit'] });

/**
 * Declares one API operation: registers its Fastify route, checks the caller and the input with
 * the operation's schemas, answers with the response schema's output, and records it for the
 * OpenAPI document. Bad path or query input is a 400, a bad body a 422, each with a message per
 * field; a query parameter or body field the schemas do not declare (at any depth: declare their
 * objects with z.strictObject, which the document checks) is a 400 naming each, as is any field in
 * the body or query of an operation that takes none; a caller who is not signed in gets a 401.
 *
 * ```ts
 * apiRoute(app, {
 *   method: 'GET', path: '/api/products/{code}', operationId: 'getProduct', summary: 'One product',
 *   tags: ['Catalogue'], params: z.object({ code: z.string() }), response: productSchema, errors: ['not-found'],
 * }, async ({ params }) => findProduct(params.code));
 * ```
 */
export function apiRoute<
  Params extends ApiObjectSchema | undefined = undefined,
  Query extends ApiObjectSchema | undefined = undefined,
  Body extends z.ZodType | undefined = undefined,
  Response extends z.ZodType = z.ZodType,
>(
  app: FastifyInstance,
  operation: ApiOperation<Params, Query, Body, Response>,
  handler: ApiHandler<Params, Query, Body, Response>,
): void {
  if (!app.hasDecorator('openApi'))
    throw new Error('Register the api plugin (platform/web/openapi.ts) before apiRoute');
  const registry = app.openApi;
  registry.add(operation as AnyApiOperation);
  const upload = operation.upload;
  if (upload && !app.hasContentTypeParser(upload.contentType)) {
    app.addContentTypeParser(upload.contentType, { parseAs: 'buffer', bodyLimit: upload.maxBytes }, (_r, bytes, done) =>
      done(null, bytes),
    );
  }

  app.route({
    method: operation.method,
    url: operation.path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1'),
    ...(upload ? { bodyLimit: upload.maxBytes } : operation.bodyLimit ? { bodyLimit: operation.bodyLimit } : {}),
    config: { apiBodyType: upload?.contentType ?? 'application/json' },
    preHandler: registry.rateLimiter,
    handler: async (request, reply) => {
      const person = request.person;
      if (!person) {
        reply.header('www-authenticate', registry.bearerChallenge(request.accessTokenRefusal !== undefined));
        throw new AppError(
          'unauthenticated',
          request.accessTokenRefusal ??
            'Sign in, or send a personal access token in an Authorization: Bearer header (create one at /account/).',
        );
      }
      // A body of another type than the operation's (a form, text/plain) is not read as if it were
      // JSON: formbody and Fastify's text parser would hand zod an object or a string (docs/api.md, Errors).
      // (A GET's body is not read, as before: its document lists no 422.)
      if (operation.method !== 'GET') refuseOtherBodyType(request, upload?.contentType ?? 'application/json');
      const params = parseInput(operation.params, request.params, 'path') as Parsed<Params>;
      // An operation that takes no query takes no parameters either (expectedTotalPence sent in
      // the query of POST /api/orders must not be dropped and the order placed at any price).
      const query = parseInput(operation.query, request.query, 'query') as Parsed<Query>;
      const body = (upload ? undefined : parseInput(operation.body, request.body, 'body')) as Parsed<Body>;
      if (upload && !Buffer.isBuffer(request.body)) {
        throw new AppError(
          'unprocessable',
          `Send the file as the request body with Content-Type: ${upload.contentType}.`,
        );
      }
      const uploaded = upload ? (request.body as Buffer) : undefined;
      const result = await handler({ params, query, body, upload: uploaded, person, request, reply });
      const output = operation.response.safeParse(result);
      if (!output.success) {
        throw new Error(
          `${operation.operationId} answered outside its response schema: ${z.prettifyError(output.error)}`,
        );
      }
      if (operation.location) reply.header('location', locationOf(operation, output.data));
      return reply.status(operation.status ?? 200).send(output.data);
    },
  });
}

/**
 * A 422 for a body sent as another type than the operation takes (JSON, or its upload's type):
 * the app reads forms and text for its pages, so such a body would otherwise reach the handler.
 * Nothing sent, nothing to refuse; a media type's parameters (charset) do not matter.
 */
function refuseOtherBodyType(request: FastifyRequest, expected: string): void {
  if (request.body === undefined) return;
  const sent = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (sent === expected) return;
  const message = `Send the body with Content-Type: ${expected}.`;
  throw new AppError('unprocessable', message, { body: message });
}

/** An operation that takes no body (or query) takes no fields in one either. */
const NO_FIELDS = z.strictObject({});

/**
 * The input parsed by its schema: a 400 naming every query parameter or body field the schema
 * does not take (its objects are z.strictObject, so zod reports them as `unrecognized_keys`) rather
 * than zod's silence, as a misspelt optional field (quoteRef for quoteReference) must not be
 * answered as if it had been left out; then a 400 (path, query) or 422 (body) with a message per
 * field, in the schema's own words or else the API's (api-words.ts), never zod's. Without a
 * schema, a query or body object may still have no fields.
 */
function parseInput(schema: z.ZodType | undefined, value: unknown, where: 'path' | 'query' | 'body'): unknown {
  if (!schema && where === 'path') return undefined;
  const parsed = (schema ?? NO_FIELDS).safeParse(value ?? (where === 'body' ? undefined : {}), {
    error: (issue) => apiIssueMessage(issue, where),
  });
  if (parsed.success) return schema ? parsed.data : undefined;
  refuseUnknownFields(unrecognizedFields(parsed.error.issues), where);
  if (!schema) return undefined;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : where === 'body' ? 'body' : 'query';
    // A body that is no object at all is refused the same way whatever its schema's own words
    // (a union of kinds of change would say "Choose the kind of change" to a null body).
    const message =
      where === 'body' && issue.path.length === 0 && issue.code === 'invalid_type' ? SEND_A_JSON_OBJECT : issue.message;
    fields[field] ??= message;
  }
  if (where === 'body') throw new AppError('unprocessable', BODY_NOT_VALID, fields);
  throw new AppError('bad-request', 'The address or its query is not valid: see the message for each field.', fields);
}

/** Where a 201 says its new thing is: its `location` path, each {name} the answer's field of that name. */
function locationOf(operation: AnyApiOperation, answer: unknown): string {
  return (operation.location as string).replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    const value = (answer as Record<string, unknown> | null)?.[name];
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new Error(`${operation.operationId}: its answer has no ${name} for its location ${operation.location}`);
    }
    return encodeURIComponent(String(value));
  });
}

/**
 * The fields zod found no place for, as dotted paths (`quoteRef`, `payment.financecode`,
 * `readings.0.pth`). Where a value fits no option of a union, a field is unknown only if no
 * option takes it.
 */
function unrecognizedFields(issues: readonly z.core.$ZodIssue[], path: readonly PropertyKey[] = []): string[] {
  const fields = issues.flatMap((issue): string[] => {
    const at = [...path, ...issue.path];
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => [...at, key].map(String).join('.'));
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [];
    const [first = [], ...rest] = issue.errors.map((option) => unrecognizedFields(option, at));
    return first.filter((field) => rest.every((unknown) => unknown.includes(field)));
  });
  return [...new Set(fields)];
}

function refuseUnknownFields(unknown: readonly string[], where: 'path' | 'query' | 'body'): void {
  if (unknown.length === 0) return;
  const what = where === 'body' ? 'field' : 'query parameter';
  throw new AppError(
    'bad-request',
    `The request ${where === 'body' ? 'body' : 'query'} has ${unknown.length === 1 ? `a ${what}` : `${what}s`} this operation does not take: ${unknown.join(', ')}. Nothing was done: check the spelling against /api/openapi.json.`,
    Object.fromEntries(unknown.map((field) => [field, `This operation has no ${what} ${field}: check its spelling`])),
  );
}

// --- the document -------------------------------------------------------------------------

function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12' }) as JsonSchema;
  return rest;
}

/**
 * A request's query or body schema as JSON Schema, its objects all closed: each says
 * `additionalProperties: false` (z.strictObject, so apiRoute refuses a field it does not declare
 * rather than dropping it), or what else it takes (a record, z.looseObject). One declared with
 * z.object would quietly drop a misspelt field, so it fails the document (built in the tests).
 */
function requestSchema(operation: AnyApiOperation, where: 'query' | 'body', schema: z.ZodType): JsonSchema {
  const json = toSchema(schema, 'input');
  const open: string[] = [];
  const visit = (value: unknown, pointer: string): void => {
    if (!value || typeof value !== 'object') return;
    const object = value as JsonSchema;
    if (object.type === 'object' && !('additionalProperties' in object) && !('propertyNames' in object)) {
      open.push(pointer || '/');
    }
    for (const [key, child] of Object.entries(object)) visit(child, `${pointer}/${key}`);
  };
  visit(json, '');
  if (open.length > 0) {
    throw new Error(
      `${operation.operationId}: its ${where} has an object that drops fields it does not declare (at ${open.join(', ')}): declare it with z.strictObject (or z.looseObject or z.record where any key is welcome)`,
    );
  }
  return json;
}

const UNSAFE: ReadonlySet<ApiMethod> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function describeOperation(operation: AnyApiOperation): RecordedOperation {
  const pathNames = [...operation.path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((match) => match[1] as string);
  const schemas: RecordedOperation['schemas'] = [];
  const parameters: JsonSchema[] = [];
  for (const [where, schema] of [
    ['path', operation.params],
    ['query', operation.query],
  ] as const) {
    if (!schema) continue;
    const json = where === 'query' ? requestSchema(operation, where, schema) : toSchema(schema, 'input');
    schemas.push({ schema: json, io: 'input' });
    const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      const { description, ...propertySchema } = property;
      parameters.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: propertySchema,
      });
    }
  }
  const declaredPathNames = parameters
    .filter((parameter) => parameter.in === 'path')
    .map((parameter) => parameter.name);
  if (pathNames.join() !== declaredPathNames.join()) {
    throw new Error(
      `${operation.operationId}: the path ${operation.path} names {${pathNames.join('}, {')}} but params declares ${declaredPathNames.join(', ') || 'none'}`,
    );
  }

  const status = String(operation.status ?? 200);
  const responseSchema = toSchema(operation.response, 'output');
  schemas.push({ schema: responseSchema, io: 'output' });
  const responses: JsonSchema = {
    [status]: {
      description: 'Success',
      ...(operation.location ? { headers: { Location: locationHeader(operation, responseSchema) } } : {}),
      content: { 'application/json': { schema: responseSchema } },
    },
  };
  const errorCodes = new Set<AppErrorCode>(['unauthenticated', 'rate-limited', ...(operation.errors ?? [])]);
  // A body field or query parameter the operation does not take is a 400 too: any operation may be sent one.
  errorCodes.add('bad-request');
  // Any write may be sent a body that cannot be read (not JSON, or of another type): a 422.
  if (operation.body || operation.upload || UNSAFE.has(operation.method)) errorCodes.add('unprocessable');
  // Any write may be sent a body larger than its operation takes (the app's 1 MiB, or bodyLimit, or
  // the upload's), whether it takes one or not: Fastify reads the body of every method but GET.
  if (operation.body || operation.upload || UNSAFE.has(operation.method)) errorCodes.add('payload-too-large');
  if (UNSAFE.has(operation.method)) errorCodes.add('forbidden');
  for (const code of [...errorCodes].sort((a, b) => APP_ERROR_STATUS[a] - APP_ERROR_STATUS[b])) {
    responses[String(APP_ERROR_STATUS[code])] = { $ref: `#/components/responses/${ERROR_RESPONSES[code].name}` };
  }
  // Any operation may fail on our side.
  responses['500'] = { $ref: `#/components/responses/${INTERNAL_ERROR_RESPONSE.name}` };

  const described: JsonSchema = {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    tags: operation.tags,
    ...(parameters.length > 0 ? { parameters } : {}),
    responses,
  };
  if (operation.upload) {
    described.requestBody = {
      required: true,
      description: operation.upload.description,
      content: {
        [operation.upload.contentType]: { schema: { type: 'string', contentMediaType: operation.upload.contentType } },
      },
    };
  }
  if (operation.body) {
    const bodySchema = requestSchema(operation, 'body', operation.body);
    schemas.push({ schema: bodySchema, io: 'input' });
    described.requestBody = {
      required: !operation.body.safeParse(undefined).success,
      content: { 'application/json': { schema: bodySchema } },
    };
  }
  return {
    method: operation.method,
    path: operation.path,
    location: operation.location,
    operation: described,
    schemas,
  };
}

/**
 * The Location header of a 201 that says where its new thing is read (ApiOperation.location): a
 * path whose {names} are fields of the answer, so locationOf can always fill them.
 */
function locationHeader(operation: AnyApiOperation, responseSchema: JsonSchema): JsonSchema {
  const location = operation.location as string;
  if (operation.status !== 201) throw new Error(`${operation.operationId}: only a 201 has a location`);
  // The answer's schema itself, or (one with an id, as Order) its definition.
  const ref = typeof responseSchema.$ref === 'string' ? responseSchema.$ref.replace('#/$defs/', '') : undefined;
  const answer = ref ? ((responseSchema.$defs as Record<string, JsonSchema> | undefined)?.[ref] ?? {}) : responseSchema;
  const required = (answer.required ?? []) as string[];
  const names = [...location.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((match) => match[1] as string);
  const missing = names.filter((name) => !required.includes(name));
  if (missing.length > 0) {
    throw new Error(
      `${operation.operationId}: its location ${location} names ${missing.join(', ')}, not a field every answer has`,
    );
  }
  return {
    description: `Where to read what was created: GET ${location}, its ${names.join(', ')} the answer's.`,
    required: true,
    schema: { type: 'string', format: 'uri-reference' },
  };
}

/** The header of every 401 (ApiRegistry.bearerChallenge). */
const CHALLENGE_HEADERS: JsonSchema = {
  'WWW-Authenticate': {
    description:
      'How to authenticate (RFC 6750): `Bearer realm="…"`, with `error="invalid_token"` when the token sent is expired, revoked or unknown.',
    required: true,
    schema: { type: 'string' },
  },
};

/**
 * The headers @fastify/rate-limit sends with a 429 (every answer has the X-RateLimit-* ones too), for
 * the limit of `perMinute` calls: the caller can wait for Retry-After rather than guess.
 */
function rateLimitHeaders(perMinute: number): JsonSchema {
  const header = (description: string, minimum: number, maximum: number) => ({
    description,
    required: true,
    schema: { type: 'integer', minimum, maximum },
  });
  return {
    'Retry-After': header('Seconds to wait before calling again.', 0, 60),
    'X-RateLimit-Limit': header(
      'Calls a person (or an address, not signed in) may make in a minute.',
      perMinute,
      perMinute,
    ),
    'X-RateLimit-Remaining': header('Calls left in this minute: none.', 0, 0),
    'X-RateLimit-Reset': header('Seconds until the minute is over and the count starts again.', 0, 60),
  };
}

const ERROR_RESPONSES: Record<AppErrorCode, { name: string; description: string }> = {
  'bad-request': {
    name: 'BadRequest',
    description:
      'The path or query is not valid, or the query or body has a field the operation does not take (each named in `fields`); `fields` says why.',
  },
  unauthenticated: {
    name: 'Unauthenticated',
    description: 'No session and no access token, or a token that is expired, revoked or unknown.',
  },
  forbidden: {
    name: 'Forbidden',
    description: 'Not allowed for this person, or (session only) the x-csrf-token header is missing or wrong.',
  },
  'not-found': { name: 'NotFound', description: 'There is no such thing, or it is not yours to see.' },
  conflict: {
    name: 'Conflict',
    description:
      'Not now: the record changed meanwhile (read it again), or its state (locked, expired, a change in progress) refuses it; the message says which.',
  },
  'payload-too-large': {
    name: 'PayloadTooLarge',
    description:
      'The body is larger than the operation takes (the message says how large it may be), even where it takes none.',
  },
  unprocessable: { name: 'Unprocessable', description: 'The body is not valid; `fields` has a message per field.' },
  'rate-limited': {
    name: 'RateLimited',
    description: 'Too many requests: wait for the minute to pass (Retry-After says how long).',
  },
  unavailable: { name: 'Unavailable', description: 'A service this depends on is down; try again later.' },
};

const INTERNAL_ERROR_RESPONSE = {
  name: 'InternalError',
  description: 'Something failed on our side and nothing was changed: only the request id is shown; quote it.',
};

/** Points every `#/$defs/<id>` reference under `node` at `#/components/schemas/<name>`. */
function rewriteRefs(node: unknown, names: ReadonlyMap<string, string>): void {
  if (Array.isArray(node)) {
    for (const item of node) rewriteRefs(item, names);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const object = node as Record<string, unknown>;
  const ref = object.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/$defs/')) {
    const name = names.get(ref.slice('#/$defs/'.length));
    if (name) object.$ref = `#/components/schemas/${name}`;
  }
  for (const value of Object.values(object)) rewriteRefs(value, names);
}

/**
 * Moves each schema's `$defs` (zod's schemas with a `.meta({ id })`) into components.schemas and
 * points its references there. One id must mean one shape. An input whose shapes differ from the
 * outputs of the same ids (defaults, optional fields) names them all `<id>Input`.
 */
function hoistDefinitions(recorded: RecordedOperation[], components: Record<string, JsonSchema>): void {
  for (const { schemas } of recorded) {
    for (const { schema, io } of schemas) {
      const defs = (schema.$defs ?? {}) as Record<string, JsonSchema>;
      delete schema.$defs;
      const ids = Object.keys(defs);
      if (ids.length === 0) continue;
      const namings = [new Map(ids.map((id) => [id, id]))];
      if (io === 'input') namings.push(new Map(ids.map((id) => [id, `${id}Input`])));
      const fit = namings
        .map((names) => {
          const placed: Record<string, JsonSchema> = {};
          for (const id of ids) {
            const def = structuredClone(defs[id]);
            rewriteRefs(def, names);
            const name = names.get(id) as string;
            const existing = components[name];
            if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(def)) return undefined;
            placed[name] = def as JsonSchema;
          }
          return { names, placed };
        })
        .find((fit) => fit !== undefined);
      if (!fit) {
        throw new Error(`Two different schemas are both called one of ${ids.join(', ')} in the API document`);
      }
      Object.assign(components, fit.placed);
      rewriteRefs(schema, fit.names);
    }
  }
}

function buildDocument(recorded: RecordedOperation[], options: ApiPluginOptions): JsonSchema {
  // Deep copies, so building twice (a test app, a registry that grew) never rewrites a schema twice.
  const operations = structuredClone(recorded);
  const components: Record<string, JsonSchema> = { Error: toSchema(apiErrorSchema, 'output') };
  hoistDefinitions(operations, components);

  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const { method, path, operation } of [...operations].sort((a, b) => a.path.localeCompare(b.path))) {
    paths[path] ??= {};
    (paths[path] as Record<string, JsonSchema>)[method.toLowerCase()] = operation;
  }
  for (const { path, location } of operations) {
    if (location && !paths[location]?.get) {
      throw new Error(`${path}: its location ${location} is no GET operation of the API`);
    }
  }
  const errorRef = { $ref: '#/components/schemas/Error' };
  const headers: Record<string, JsonSchema> = {
    [ERROR_RESPONSES.unauthenticated.name]: CHALLENGE_HEADERS,
    [ERROR_RESPONSES['rate-limited'].name]: rateLimitHeaders(options.rateLimitPerMinute),
  };
  const responses = Object.fromEntries(
    [...Object.values(ERROR_RESPONSES), INTERNAL_ERROR_RESPONSE].map(({ name, description }) => [
      name,
      {
        description,
        ...(headers[name] ? { headers: headers[name] } : {}),
        content: { 'application/json': { schema: errorRef } },
      },
    ]),
  );
  const tags = [...new Set(operations.flatMap(({ operation }) => operation.tags as string[]))].sort();
  return {
    openapi: '3.1.0',
    info: {
      title: `${options.serviceName} API`,
      version: API_VERSION,
      description: [
        'The operations of the web pages, as JSON, with the same rules and the same authorisation.',
        '',
        'Authenticate in one of two ways:',
        '',
        '- **Personal access token** (scripts): create one at /account/ and send it as `Authorization: Bearer ssgw_…`. No CSRF token is needed.',
        '- **Session cookie** (the browser, signed in): unsafe methods (POST, PUT, PATCH, DELETE) must also send the `x-csrf-token` header, from `GET /api/csrf-token`.',
        '',
        'Failures answer with the `Error` schema: a status, a machine-readable `code`, a message safe to show, the request id, and for bad input a message per field.',
        '',
        'Requests are read strictly: a body field or query parameter that an operation does not take (a misspelt `quoteRef` for `quoteReference`, at any depth) is a 400 naming each in `fields`, never quietly ignored. Calls that order take an optional `expectedTotalPence`: the order is placed at that total or refused with a 409.',
      ].join('\n'),
    },
    servers: [{ url: options.publicUrl }],
    tags: tags.map((name) => ({ name })),
    security: [{ bearerAuth: [] }, { sessionCookie: [] }],
    paths,
    components: {
      schemas: components,
      responses,
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'A personal access token (ssgw_…) from /account/.',
        },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: options.sessionCookieName,
          description: 'The signed-in browser session; unsafe methods also need the x-csrf-token header.',
        },
      },
    },
  };
}
