import * as z from 'zod';
import { GL_INVALID_REASONS, GRANT_INVALID_REASONS } from './judgements.ts';

/**
 * The shapes of the /v1 API, written once: the handlers build answers of these types, the tests
 * parse real responses with them, and /openapi.json is generated from them.
 */

/** Every named schema of the API: the components of /openapi.json. */
export const apiSchemas = z.registry<z.core.GlobalMeta>();

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .meta({ format: 'date', example: '2026-11-27' });

export const problemSchema = z
  .object({ field: z.string(), message: z.string() })
  .register(apiSchemas, { id: 'Problem', description: 'What is wrong with one input' });

export const malformedSchema = z
  .object({ result: z.literal('malformed'), problems: z.array(problemSchema).min(1) })
  .register(apiSchemas, { id: 'Malformed', description: 'The input fails the format; nothing was looked up' });

export const departmentSchema = z
  .object({ code: z.string().length(2), name: z.string() })
  .register(apiSchemas, { id: 'Department' });

export const glCodeQuerySchema = z.object({
  code: z.string().meta({ description: 'The GL code, e.g. PHAA.GAAA or PHAA-GAAA-LAAA', example: 'PHAA.GAAA' }),
  on: isoDate.optional().meta({ description: 'Judge the code as of this date (default: today in Europe/London)' }),
});

export const glValidSchema = z
  .object({
    result: z.literal('valid'),
    glCode: z.string().meta({ example: 'PHAA.GAAA' }),
    asOf: isoDate,
    costCentre: z.object({ code: z.string(), name: z.string(), department: departmentSchema }),
    sourceOfFunds: z.object({
      code: z.string(),
      name: z.string(),
      kind: z.string().length(1).meta({ description: 'The first letter of the source of funds' }),
    }),
    transactionCode: z.string().nullable(),
    validFrom: isoDate,
    validTo: isoDate.nullable().meta({ description: 'The last day it may be charged; null when open-ended' }),
  })
  .register(apiSchemas, { id: 'GlCodeValid' });

export const glInvalidSchema = z
  .object({
    result: z.literal('invalid'),
    glCode: z.string(),
    asOf: isoDate,
    reason: z.enum(GL_INVALID_REASONS),
    message: z.string(),
  })
  .register(apiSchemas, { id: 'GlCodeInvalid' });

export const glAnswerSchema = z.discriminatedUnion('result', [glValidSchema, glInvalidSchema]);

export const grantQuerySchema = z.object({
  award: z.string().meta({ example: 'RG94772' }),
  project: z.string().meta({ example: 'PHAG0042' }),
  task: z.string().meta({ example: '1.1' }),
  on: isoDate.optional().meta({ description: 'Judge the grant as of this date (default: today in Europe/London)' }),
});

const grantCodeSchema = z.object({ award: z.string(), project: z.string(), task: z.string() });

export const grantValidSchema = z
  .object({
    result: z.literal('valid'),
    grant: grantCodeSchema,
    asOf: isoDate,
    award: z.object({ number: z.string(), title: z.string(), sponsor: z.string() }),
    project: z.object({ number: z.string(), title: z.string(), startDate: isoDate, endDate: isoDate }),
    task: z.object({ number: z.string(), name: z.string() }),
    validFrom: isoDate,
    validTo: isoDate,
  })
  .register(apiSchemas, { id: 'GrantValid' });

export const grantInvalidSchema = z
  .object({
    result: z.literal('invalid'),
    grant: grantCodeSchema,
    asOf: isoDate,
    reason: z.enum(GRANT_INVALID_REASONS),
    message: z.string(),
  })
  .register(apiSchemas, { id: 'GrantInvalid' });

export const grantAnswerSchema = z.discriminatedUnion('result', [grantValidSchema, grantInvalidSchema]);

export const costCentreSchema = z
  .object({
    code: z.string(),
    name: z.string(),
    department: departmentSchema,
    status: z.enum(['open', 'closed']),
    validFrom: isoDate,
    validTo: isoDate.nullable(),
  })
  .register(apiSchemas, { id: 'CostCentre' });

export const costCentreQuerySchema = z.object({
  on: isoDate
    .optional()
    .meta({ description: 'Judge the cost centre as of this date (default: today in Europe/London)' }),
});

export const costCentreAnswerSchema = z
  .discriminatedUnion('result', [
    z.object({ result: z.literal('valid'), asOf: isoDate, costCentre: costCentreSchema }),
    z.object({
      result: z.literal('invalid'),
      asOf: isoDate,
      reason: z.enum(['cost-centre-unknown', 'cost-centre-closed', 'not-yet-valid', 'no-longer-valid']),
      message: z.string(),
      costCentre: costCentreSchema.nullable(),
    }),
  ])
  .register(apiSchemas, { id: 'CostCentreAnswer' });

export const projectTasksSchema = z
  .object({
    project: z.object({
      number: z.string(),
      awardNumber: z.string(),
      title: z.string(),
      status: z.enum(['active', 'closed']),
      startDate: isoDate,
      endDate: isoDate,
    }),
    tasks: z.array(z.object({ number: z.string(), name: z.string(), status: z.enum(['open', 'closed']) })),
  })
  .register(apiSchemas, { id: 'ProjectTasks' });

export const notFoundSchema = z
  .object({ result: z.literal('invalid'), reason: z.literal('project-unknown'), message: z.string() })
  .register(apiSchemas, { id: 'ProjectUnknown' });

export const errorSchema = z
  .object({ error: z.object({ status: z.number(), message: z.string(), requestId: z.string() }) })
  .register(apiSchemas, { id: 'Error' });

export type GlAnswer = z.infer<typeof glAnswerSchema>;
export type GrantAnswer = z.infer<typeof grantAnswerSchema>;
export type CostCentreAnswer = z.infer<typeof costCentreAnswerSchema>;
export type ProjectTasks = z.infer<typeof projectTasksSchema>;
export type Malformed = z.infer<typeof malformedSchema>;
