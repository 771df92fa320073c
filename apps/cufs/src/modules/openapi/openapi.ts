import * as z from 'zod';
import { apiSchemas, costCentreQuerySchema, glCodeQuerySchema, grantQuerySchema } from '../codes/api.schemas.ts';

type JsonObject = Record<string, unknown>;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (schema: JsonObject, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** Query parameters from a zod object: each field's own JSON schema, required unless optional. */
function queryParameters(schema: z.ZodObject): JsonObject[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const { description, example, ...fieldSchema } = z.toJSONSchema(field as z.ZodType, {
      target: 'draft-2020-12',
    }) as JsonObject;
    delete fieldSchema.$schema;
    return {
      name,
      in: 'query',
      required: !(field as z.ZodType).safeParse(undefined).success,
      description,
      example,
      schema: fieldSchema,
    };
  });
}

const pathParameter = (name: string, description: string, example: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  example,
  schema: { type: 'string' },
});

const common = {
  '401': json(ref('Error'), 'No valid bearer token or ID token'),
  '429': json(ref('Error'), 'Too many requests; see Retry-After'),
  '503': json(
    ref('Error'),
    'No reference data imported yet (no code can be checked), or an ID token cannot be checked just now: try again later',
  ),
};

/** The OpenAPI 3.1 description of /v1, built from the same zod schemas the handlers answer with. */
export function openApiDocument(serverUrl?: string): JsonObject {
  const { schemas } = z.toJSONSchema(apiSchemas, {
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
  });
  for (const schema of Object.values(schemas) as JsonObject[]) {
    delete schema.$schema;
    delete schema.$id;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'CUFS API service',
      version: '1.0.0',
      description:
        'Is this University finance code real and open? Answers from reference data loaded from CUFS extracts. ' +
        'Every answer is valid, invalid (well-formed but unknown, closed, disabled or outside its dates) or malformed (400).',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ bearer: [] }],
    paths: {
      '/v1/gl-codes/validate': {
        get: {
          operationId: 'validateGlCode',
          summary: 'Validate a GL code (cost centre, source of funds, optional transaction code)',
          parameters: queryParameters(glCodeQuerySchema),
          responses: {
            '200': json({ oneOf: [ref('GlCodeValid'), ref('GlCodeInvalid')] }, 'Valid or invalid, with why'),
            '400': json(ref('Malformed'), 'The code fails the format'),
            ...common,
          },
        },
      },
      '/v1/grants/validate': {
        get: {
          operationId: 'validateGrant',
          summary: 'Validate a grant (award, project, task) as of a date',
          parameters: queryParameters(grantQuerySchema),
          responses: {
            '200': json({ oneOf: [ref('GrantValid'), ref('GrantInvalid')] }, 'Valid or invalid, with why'),
            '400': json(ref('Malformed'), 'The award, project or task fails the format'),
            ...common,
          },
        },
      },
      '/v1/cost-centres/{code}': {
        get: {
          operationId: 'getCostCentre',
          summary: 'Look up a cost centre as of a date: name, department, status and dates',
          parameters: [
            pathParameter('code', 'The 4-character cost centre', 'PHAA'),
            ...queryParameters(costCentreQuerySchema),
          ],
          responses: {
            '200': json(
              ref('CostCentreAnswer'),
              'Known: valid when open and within its dates on the day, else invalid with why',
            ),
            '404': json(ref('CostCentreAnswer'), 'No such cost centre'),
            '400': json(ref('Malformed'), 'Not a cost centre code'),
            ...common,
          },
        },
      },
      '/v1/projects/{project}/tasks': {
        get: {
          operationId: 'listProjectTasks',
          summary: 'List the tasks of a grant project',
          parameters: [pathParameter('project', 'The project number', 'PHAG0042')],
          responses: {
            '200': json(ref('ProjectTasks'), 'The project and its tasks, in task order'),
            '404': json(ref('ProjectUnknown'), 'No such project'),
            '400': json(ref('Malformed'), 'Not a project number'),
            ...common,
          },
        },
      },
    },
    components: {
      schemas,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token from CUFS_API_TOKENS, or a Google-signed ID token when deployed on Cloud Run',
        },
      },
    },
  };
}
