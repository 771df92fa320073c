import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.ts';

interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
  components: {
    schemas: Record<string, unknown>;
    securitySchemes: Record<string, Record<string, string>>;
    responses: Record<string, unknown>;
  };
  security: Array<Record<string, string[]>>;
}

describe('the OpenAPI document', () => {
  let t: TestApp;
  let document: OpenApiDocument;
  beforeAll(async () => {
    t = await startTestApp({ env: { PUBLIC_URL: 'https://storage.example.ac.uk' } });
    const response = await t.app.inject('/api/openapi.json');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('application/json');
    document = response.json();
  });
  afterAll(() => t.close());

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0');
    // validate() dereferences the object it is given, so hand it a copy.
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('is answered at /api/swagger.json too, where the original served it, without signing in', async () => {
    const swagger = await t.app.inject('/api/swagger.json');
    expect(swagger.statusCode).toBe(200);
    expect(swagger.json()).toEqual(document);
  });

  it('names a storage project’s PATCH for what it does: a new name, a new quota, or both', () => {
    // It was resizeStorageProject, from before it could rename.
    expect(document.paths['/api/projects/{id}']?.patch?.operationId).toBe('updateStorageProject');
    const ids = Object.values(document.paths).flatMap((operations) =>
      Object.values(operations).map((operation) => operation.operationId),
    );
    expect(ids).not.toContain('resizeStorageProject');
  });

  it('lists the account and catalogue operations, each with its errors', () => {
    expect(document.paths['/api/me']?.get?.operationId).toBe('getMe');
    expect(document.paths['/api/products']?.get?.operationId).toBe('listProducts');
    expect(document.paths['/api/products/{code}']?.get?.operationId).toBe('getProduct');
    const getProduct = document.paths['/api/products/{code}']?.get;
    expect(Object.keys(getProduct?.responses ?? {})).toEqual(['200', '400', '401', '404', '429', '500']);
    expect(getProduct?.responses['404']).toEqual({ $ref: '#/components/responses/NotFound' });
    expect(JSON.stringify(document.paths['/api/products']?.get?.responses['200'])).toContain(
      '#/components/schemas/Product',
    );
    expect(document.components.schemas.Product).toMatchObject({ type: 'object' });
  });

  it('names both ways to authenticate, the server and the shared error format', () => {
    expect(document.servers).toEqual([{ url: 'https://storage.example.ac.uk' }]);
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    // Served over HTTPS, the session cookie carries the __Host- prefix.
    expect(document.components.securitySchemes.sessionCookie).toMatchObject({
      type: 'apiKey',
      in: 'cookie',
      name: '__Host-ssgw-session',
    });
    expect(document.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
    expect(document.info.description).toContain('Authorization: Bearer');
    expect(document.info.description).toContain('x-csrf-token');
    expect(document.components.schemas.Error).toMatchObject({
      type: 'object',
      properties: { error: { required: ['status', 'code', 'title', 'message', 'requestId'] } },
    });
    // Every code an answer may carry, a 500's internal-error included (it was any string, and no
    // operation listed the 500 that docs/api.md describes).
    expect(document.components.schemas.Error).toMatchObject({
      properties: {
        error: {
          properties: {
            code: {
              enum: [
                'bad-request',
                'unauthenticated',
                'forbidden',
                'not-found',
                'conflict',
                'payload-too-large',
                'unprocessable',
                'rate-limited',
                'unavailable',
                'internal-error',
              ],
            },
          },
        },
      },
    });
    // An order's kind and status are the same enums wherever they appear (the list's kind, and a
    // licence's orders' status, were any string).
    const schemaText = JSON.stringify(document);
    expect(schemaText).not.toMatch(/"(kind|status)":\{"type":"string"\}/);
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.responses['500'], `${method} ${path}`).toEqual({
          $ref: '#/components/responses/InternalError',
        });
      }
    }
  });

  it('says every object of every request body takes no other properties (z.strictObject), records apart', () => {
    const bodies = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).flatMap(([method, operation]) => {
        const { requestBody } = operation as { requestBody?: { content: Record<string, { schema: unknown }> } };
        const schema = requestBody?.content['application/json']?.schema;
        return schema ? [[`${method} ${path}`, schema] as const] : [];
      }),
    );
    expect(bodies.length).toBeGreaterThanOrEqual(10);
    const open = (node: unknown): number => {
      if (!node || typeof node !== 'object') return 0;
      const object = node as Record<string, unknown>;
      const here = object.type === 'object' && object.additionalProperties !== false && !object.propertyNames ? 1 : 0;
      return here + Object.values(object).reduce<number>((sum, child) => sum + open(child), 0);
    };
    for (const [operation, schema] of bodies) {
      // An object, or one object per kind (the changes of a licence, a union on kind).
      const { oneOf } = schema as { oneOf?: unknown[] };
      for (const option of oneOf ?? [schema]) {
        expect(option, operation).toMatchObject({ type: 'object', additionalProperties: false });
      }
      expect(open(schema), operation).toBe(0);
    }
  });
});
