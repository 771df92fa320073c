import rateLimit from '@fastify/rate-limit';
import { validate } from '@readme/openapi-parser';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import apiPlugin, { type ApiObjectSchema, type ApiOperation, apiRoute } from './openapi.ts';

const options = {
  publicUrl: 'http://localhost:3000',
  serviceName: 'Test',
  sessionCookieName: 'ssgw-session',
  rateLimitPerMinute: 100,
};

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function bareApp(): Promise<FastifyInstance> {
  app = Fastify();
  await app.register(rateLimit, { global: false });
  await app.register(apiPlugin, options);
  return app;
}

type Document = {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, unknown> };
};

describe('declaring API operations', () => {
  it('puts a shared shape in components once, with an Input variant where its input differs', async () => {
    const api = await bareApp();
    const widget = z.strictObject({ name: z.string(), size: z.int().default(1) }).meta({ id: 'TestWidget' });
    apiRoute(
      api,
      {
        method: 'POST',
        path: '/api/widgets',
        operationId: 'createWidget',
        summary: 'Make a widget',
        tags: ['Widgets'],
        body: widget,
        response: z.object({ widget, others: z.array(widget) }),
      },
      async ({ body }) => ({ widget: body, others: [] }),
    );
    const document = (await api.inject('/api/openapi.json')).json() as Document;
    const schemas = document.components.schemas;
    // The output always has a size; the input may leave it out.
    expect(schemas.TestWidget).toMatchObject({ required: ['name', 'size'] });
    expect(schemas.TestWidgetInput).toMatchObject({ required: ['name'] });
    const operation = JSON.stringify(document.paths['/api/widgets']?.post);
    expect(operation).toContain('"#/components/schemas/TestWidgetInput"');
    expect(operation).toContain('"#/components/schemas/TestWidget"');
    expect(operation).not.toContain('$defs');
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
  });

  it('shares a shape nested in another shared shape across operations', async () => {
    const api = await bareApp();
    const price = z.object({ pence: z.int() }).meta({ id: 'TestPrice' });
    const order = z.object({ reference: z.string(), price }).meta({ id: 'TestOrder' });
    const declare = (operationId: string, path: `/api/${string}`, response: z.ZodType) =>
      apiRoute(api, { method: 'GET', path, operationId, summary: operationId, tags: ['T'], response }, () => ({}));
    declare('getTestOrder', '/api/test-orders/one', order);
    declare('listTestOrders', '/api/test-orders', z.object({ orders: z.array(order) }));
    declare('getTestPrice', '/api/test-price', price);
    const document = (await api.inject('/api/openapi.json')).json() as Document;
    expect(document.components.schemas.TestOrder).toMatchObject({
      properties: { price: { $ref: '#/components/schemas/TestPrice' } },
    });
    expect(Object.keys(document.components.schemas).sort()).toEqual(['Error', 'TestOrder', 'TestPrice']);
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
  });

  it('refuses to document two different shapes under one name', async () => {
    const api = await bareApp();
    const first = z.object({ a: z.string() }).meta({ id: 'TestClash' });
    const second = z.object({ b: z.string() }).meta({ id: 'TestClash' });
    const declare = (operationId: string, path: `/api/${string}`, response: z.ZodType) =>
      apiRoute(api, { method: 'GET', path, operationId, summary: operationId, tags: ['T'], response }, () => ({}));
    declare('one', '/api/one', z.object({ x: first }));
    declare('two', '/api/two', z.object({ x: second }));
    await api.ready();
    expect(() => api.openApi.openApiDocument()).toThrow(/Two different schemas are both called one of TestClash/);
  });

  // The document is built on its first request, not at start-up: test/api/openapi.test.ts builds
  // the whole app's, so a mistake in any operation fails the tests.
  it('catches mistakes: a repeated id at once; a path and its params disagreeing, a Date in the document', async () => {
    const base = { method: 'GET', summary: 's', tags: ['T'], response: z.object({}) } as const;
    const mistakes: Array<[ApiOperation<ApiObjectSchema | undefined, undefined, undefined, z.ZodType>, RegExp]> = [
      [{ ...base, path: '/api/things/{id}', operationId: 'getThing' }, /names \{id\} but params declares none/],
      [
        { ...base, path: '/api/things/{id}', operationId: 'getThing', params: z.object({ thing: z.string() }) },
        /params declares thing/,
      ],
      [
        { ...base, path: '/api/dates', operationId: 'dates', response: z.object({ at: z.date() }) },
        /Date cannot be represented/,
      ],
    ];
    for (const [operation, message] of mistakes) {
      const api = await bareApp();
      apiRoute(api, operation, () => ({}) as never);
      expect(() => api.openApi.openApiDocument()).toThrow(message);
      await api.close();
    }
    const api = await bareApp();
    apiRoute(api, { ...base, path: '/api/things', operationId: 'listThings' }, () => ({}));
    expect(() => apiRoute(api, { ...base, path: '/api/other', operationId: 'listThings' }, () => ({}))).toThrow(
      /declared twice/,
    );
  });

  // apiRoute refuses a field its request schemas do not declare only where zod reports it: in a
  // z.strictObject. A z.object would drop a misspelt field without a word, so it fails the document.
  it('refuses to document a query or body with an object that would drop fields it does not declare', async () => {
    const base = { method: 'POST', summary: 's', tags: ['T'], response: z.object({}) } as const;
    const api = await bareApp();
    apiRoute(
      api,
      {
        ...base,
        path: '/api/nested',
        operationId: 'nested',
        body: z.strictObject({ items: z.array(z.object({ name: z.string() })) }),
      },
      () => ({}),
    );
    expect(() => api.openApi.openApiDocument()).toThrow(
      'nested: its body has an object that drops fields it does not declare (at /properties/items/items): declare it with z.strictObject (or z.looseObject or z.record where any key is welcome)',
    );
    await api.close();

    const query = await bareApp();
    apiRoute(
      query,
      { ...base, path: '/api/query', operationId: 'query', query: z.object({ q: z.string() }) },
      () => ({}),
    );
    expect(() => query.openApi.openApiDocument()).toThrow(
      /^query: its query has an object that drops fields it does not declare \(at \/\)/,
    );
    await query.close();

    // Strict objects, records and objects that take any key say what else they take.
    const closed = await bareApp();
    apiRoute(
      closed,
      {
        ...base,
        path: '/api/closed',
        operationId: 'closed',
        query: z.strictObject({ q: z.string().optional() }),
        body: z.strictObject({
          labels: z.record(z.string(), z.strictObject({ text: z.string() })),
          extra: z.looseObject({ a: z.string() }),
          choice: z.union([z.strictObject({ a: z.string() }), z.strictObject({ b: z.string() })]),
        }),
      },
      () => ({}),
    );
    const document = closed.openApi.openApiDocument() as Document;
    const body = document.paths['/api/closed']?.post?.requestBody as Record<string, Record<string, unknown>>;
    expect(body.content?.['application/json']).toMatchObject({
      schema: {
        additionalProperties: false,
        properties: {
          labels: { additionalProperties: { additionalProperties: false } },
          extra: { additionalProperties: {} },
          choice: { anyOf: [{ additionalProperties: false }, { additionalProperties: false }] },
        },
      },
    });
  });

  it('documents the headers a 429 is sent with', async () => {
    app = Fastify();
    await app.register(rateLimit, { global: false });
    await app.register(apiPlugin, { ...options, rateLimitPerMinute: 1 });
    const first = await app.inject('/api/openapi.json');
    expect(first.statusCode).toBe(200);
    // docs/api.md: every answer says how many calls are left.
    expect(first.headers).toMatchObject({ 'x-ratelimit-limit': '1', 'x-ratelimit-remaining': '0' });
    const limited = await app.inject('/api/openapi.json');
    expect(limited.statusCode).toBe(429);
    const document = app.openApi.openApiDocument() as {
      components: { responses: Record<string, { headers: object }> };
    };
    const documented = Object.keys(document.components.responses.RateLimited?.headers ?? {}).map((name) =>
      name.toLowerCase(),
    );
    const sent = Object.keys(limited.headers).filter((name) => /^(retry-after|x-ratelimit-)/.test(name));
    expect(documented.sort()).toEqual(sent.sort());
    expect(documented).toContain('retry-after');
  });

  it('documents where a 201 says its new thing is, only at a GET operation and from fields every answer has', async () => {
    const thing = z.object({ code: z.string(), note: z.string().optional() });
    const declare = async (location: `/api/${string}`, status: 200 | 201 = 201) => {
      const api = await bareApp();
      apiRoute(
        api,
        {
          method: 'GET',
          path: '/api/things/{code}',
          operationId: 'getThing',
          summary: 's',
          tags: ['T'],
          params: z.object({ code: z.string() }),
          response: thing,
        },
        () => ({ code: 'a' }),
      );
      apiRoute(
        api,
        {
          method: 'POST',
          path: '/api/things',
          operationId: 'makeThing',
          summary: 's',
          tags: ['T'],
          response: thing,
          status,
          location,
        },
        () => ({ code: 'a' }),
      );
      return api;
    };
    const fine = await declare('/api/things/{code}');
    const document = fine.openApi.openApiDocument() as Document;
    expect(document.paths['/api/things']?.post?.responses).toMatchObject({
      '201': { headers: { Location: { required: true, schema: { type: 'string', format: 'uri-reference' } } } },
    });
    await fine.close();
    for (const [location, status, message] of [
      ['/api/things/{note}', 201, /names note, not a field every answer has/],
      ['/api/thing/{code}', 201, /is no GET operation/],
      ['/api/things/{code}', 200, /only a 201 has a location/],
    ] as const) {
      const api = await declare(location, status);
      expect(() => api.openApi.openApiDocument(), location).toThrow(message);
      await api.close();
    }
  });

  it('needs the api plugin first', () => {
    app = Fastify();
    expect(() =>
      apiRoute(
        app as FastifyInstance,
        { method: 'GET', path: '/api/x', operationId: 'x', summary: 'x', tags: ['T'], response: z.object({}) },
        () => ({}),
      ),
    ).toThrow(/Register the api plugin/);
  });
});
