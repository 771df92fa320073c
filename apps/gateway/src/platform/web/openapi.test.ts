import rateLimit from '@fastify/rate-limit';
import { validate } from '@readme/openapi-parser';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import apiPlugin, { apiRoute } from './openapi.ts';

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
    const widget = z.object({ name: z.string(), size: z.int().default(1) }).meta({ id: 'TestWidget' });
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

  it('refuses to start with two different shapes under one name', async () => {
    const api = await bareApp();
    const first = z.object({ a: z.string() }).meta({ id: 'TestClash' });
    const second = z.object({ b: z.string() }).meta({ id: 'TestClash' });
    const declare = (operationId: string, path: `/api/${string}`, response: z.ZodType) =>
      apiRoute(api, { method: 'GET', path, operationId, summary: operationId, tags: ['T'], response }, () => ({}));
    declare('one', '/api/one', z.object({ x: first }));
    declare('two', '/api/two', z.object({ x: second }));
    await expect(api.ready()).rejects.toThrow(/Two different schemas are both called one of TestClash/);
  });

  it('catches mistakes at start-up: a path and its params disagreeing, a repeated id, a Date', async () => {
    const api = await bareApp();
    const base = { method: 'GET', summary: 's', tags: ['T'], response: z.object({}) } as const;
    expect(() => apiRoute(api, { ...base, path: '/api/things/{id}', operationId: 'getThing' }, () => ({}))).toThrow(
      /names \{id\} but params declares none/,
    );
    expect(() =>
      apiRoute(
        api,
        { ...base, path: '/api/things/{id}', operationId: 'getThing', params: z.object({ thing: z.string() }) },
        () => ({}),
      ),
    ).toThrow(/params declares thing/);
    apiRoute(api, { ...base, path: '/api/things', operationId: 'listThings' }, () => ({}));
    expect(() => apiRoute(api, { ...base, path: '/api/other', operationId: 'listThings' }, () => ({}))).toThrow(
      /declared twice/,
    );
    expect(() =>
      apiRoute(
        api,
        { ...base, path: '/api/dates', operationId: 'dates', response: z.object({ at: z.date() }) },
        () => ({ at: new Date() }),
      ),
    ).toThrow(/Date cannot be represented/);
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
