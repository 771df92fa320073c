import type { FastifyInstance, FastifyReply } from 'fastify';
import * as z from 'zod';
import type { Executor } from '../../platform/database.ts';
import type { CostCentreAnswer, GlAnswer, GrantAnswer, Malformed, ProjectTasks } from './api.schemas.ts';
import {
  formatGlCode,
  type Problem,
  parseAsOf,
  parseCostCentre,
  parseGlCode,
  parseGrant,
  parseProjectNumber,
} from './formats.ts';
import { judgeCostCentre, judgeGlCode, judgeGrant } from './judgements.ts';
import * as reference from './reference.repository.ts';

export interface CodesRoutesOptions {
  db: Executor;
  /** Today's date in the University's time zone, 'YYYY-MM-DD'. */
  today: () => string;
}

// A repeated query parameter arrives as an array: that is malformed, not a crash. So is one the
// operation does not take: a misspelt `on` (`date=`, `On=`) would otherwise answer as of today.
const text = z.string().optional();
const glQuery = z.strictObject({ code: text, on: text });
const grantQuery = z.strictObject({ award: text, project: text, task: text, on: text });
const onQuery = z.strictObject({ on: text });

/** The query as its schema reads it, or the problems: each unknown parameter named, else "Give each parameter once". */
function readQuery<T extends z.ZodObject>(
  schema: T,
  query: unknown,
): { ok: true; value: z.infer<T> } | { ok: false; problems: Problem[] } {
  const parsed = schema.safeParse(query);
  if (parsed.success) return { ok: true, value: parsed.data };
  const taken = Object.keys(schema.shape).join(', ');
  const unknown = parsed.error.issues.flatMap((issue) => (issue.code === 'unrecognized_keys' ? issue.keys : []));
  if (unknown.length === 0) return { ok: false, problems: [{ field: 'query', message: 'Give each parameter once' }] };
  return {
    ok: false,
    problems: unknown.map((name) => ({
      field: name,
      message: `There is no parameter ${name}: this operation takes ${taken}`,
    })),
  };
}

/** The versioned finance-code API: every answer is valid, invalid (200) or malformed (400). */
export async function codesRoutes(app: FastifyInstance, options: CodesRoutesOptions): Promise<void> {
  const { db, today } = options;

  // Before the first import every code would be "unknown", which a caller takes for closed (the
  // gateway's nightly re-check would flag every licence): say unavailable instead, so it retries.
  // Data once imported stays (an import replaces it in one transaction), so this is asked until then.
  let imported = false;
  // preHandler: after the caller is authenticated (access.ts), so a stranger still gets a 401. It
  // applies to this plugin's routes only, all of them /v1, however their URL was written.
  app.addHook('preHandler', async (request, reply) => {
    if (imported) return;
    imported = await reference.hasReferenceData(db);
    if (!imported) {
      const message = 'No reference data has been imported yet: no finance code can be checked';
      // An import takes minutes: asked again after one, a caller finds it done.
      return reply
        .header('retry-after', '60')
        .status(503)
        .send({ error: { status: 503, message, requestId: request.id } });
    }
  });

  app.get('/v1/gl-codes/validate', async (request, reply) => {
    const query = readQuery(glQuery, request.query);
    if (!query.ok) return malformed(reply, query.problems);
    const code = parseGlCode(query.value.code ?? '');
    const on = parseAsOf(query.value.on, today());
    if (!code.ok || !on.ok) return malformed(reply, [...problemsOf(code), ...problemsOf(on)]);

    const glCode = formatGlCode(code.value);
    const [costCentre, sourceOfFunds] = await Promise.all([
      reference.findCostCentre(db, code.value.costCentre),
      reference.findSourceOfFunds(db, code.value.sourceOfFunds),
    ]);
    const judgement = judgeGlCode(code.value, costCentre, sourceOfFunds, on.value);
    const answer: GlAnswer =
      judgement.result === 'invalid'
        ? { result: 'invalid', glCode, asOf: on.value, reason: judgement.reason, message: judgement.message }
        : {
            result: 'valid',
            glCode,
            asOf: on.value,
            costCentre: {
              code: judgement.costCentre.code,
              name: judgement.costCentre.name,
              department: { code: judgement.costCentre.code.slice(0, 2), name: judgement.costCentre.department_name },
            },
            sourceOfFunds: {
              code: judgement.sourceOfFunds.code,
              name: judgement.sourceOfFunds.name,
              kind: judgement.sourceOfFunds.code.slice(0, 1),
            },
            transactionCode: code.value.transactionCode,
            validFrom: judgement.validFrom,
            validTo: judgement.validTo,
          };
    return answer;
  });

  app.get('/v1/grants/validate', async (request, reply) => {
    const query = readQuery(grantQuery, request.query);
    if (!query.ok) return malformed(reply, query.problems);
    const grant = parseGrant(query.value);
    const on = parseAsOf(query.value.on, today());
    if (!grant.ok || !on.ok) return malformed(reply, [...problemsOf(grant), ...problemsOf(on)]);

    const { award: awardNumber, project: projectNumber, task: taskNumber } = grant.value;
    const [award, project, task] = await Promise.all([
      reference.findAward(db, awardNumber),
      reference.findProject(db, projectNumber),
      reference.findTask(db, projectNumber, taskNumber),
    ]);
    const judgement = judgeGrant(grant.value, award, project, task, on.value);
    const answer: GrantAnswer =
      judgement.result === 'invalid'
        ? {
            result: 'invalid',
            grant: grant.value,
            asOf: on.value,
            reason: judgement.reason,
            message: judgement.message,
          }
        : {
            result: 'valid',
            grant: grant.value,
            asOf: on.value,
            award: {
              number: judgement.award.award_number,
              title: judgement.award.title,
              sponsor: judgement.award.sponsor,
            },
            project: {
              number: judgement.project.project_number,
              title: judgement.project.title,
              startDate: judgement.project.start_date,
              endDate: judgement.project.end_date,
            },
            task: { number: judgement.task.task_number, name: judgement.task.name },
            validFrom: judgement.validFrom,
            validTo: judgement.validTo,
          };
    return answer;
  });

  app.get<{ Params: { code: string } }>('/v1/cost-centres/:code', async (request, reply) => {
    const query = readQuery(onQuery, request.query);
    if (!query.ok) return malformed(reply, query.problems);
    const code = parseCostCentre(request.params.code);
    const on = parseAsOf(query.value.on, today());
    if (!code.ok || !on.ok) return malformed(reply, [...problemsOf(code), ...problemsOf(on)]);
    const row = await reference.findCostCentre(db, code.value);
    if (!row) {
      const unknown: CostCentreAnswer = {
        result: 'invalid',
        asOf: on.value,
        reason: 'cost-centre-unknown',
        message: `There is no cost centre ${code.value}.`,
        costCentre: null,
      };
      return reply.status(404).send(unknown);
    }
    const costCentre = {
      code: row.code,
      name: row.name,
      department: { code: row.code.slice(0, 2), name: row.department_name },
      status: row.status,
      validFrom: row.valid_from,
      validTo: row.valid_to,
    };
    const judgement = judgeCostCentre(row, on.value);
    const answer: CostCentreAnswer =
      judgement.result === 'valid'
        ? { result: 'valid', asOf: on.value, costCentre }
        : { result: 'invalid', asOf: on.value, reason: judgement.reason, message: judgement.message, costCentre };
    return answer;
  });

  app.get<{ Params: { project: string } }>('/v1/projects/:project/tasks', async (request, reply) => {
    const projectNumber = parseProjectNumber(request.params.project);
    if (!projectNumber.ok) return malformed(reply, projectNumber.problems);
    const project = await reference.findProject(db, projectNumber.value);
    if (!project)
      return reply.status(404).send({
        result: 'invalid',
        reason: 'project-unknown',
        message: `There is no project ${projectNumber.value}.`,
      });
    const tasks = await reference.listTasks(db, project.project_number);
    const answer: ProjectTasks = {
      project: {
        number: project.project_number,
        awardNumber: project.award_number,
        title: project.title,
        status: project.status,
        startDate: project.start_date,
        endDate: project.end_date,
      },
      tasks: tasks.map((task) => ({ number: task.task_number, name: task.name, status: task.status })),
    };
    return answer;
  });
}

function problemsOf(parsed: { ok: true } | { ok: false; problems: Problem[] }): Problem[] {
  return parsed.ok ? [] : parsed.problems;
}

function malformed(reply: FastifyReply, problems: Problem[]): FastifyReply {
  const answer: Malformed = { result: 'malformed', problems };
  return reply.status(400).send(answer);
}
