import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import { CsvFileError } from '../../platform/csv.ts';
import type { Executor } from '../../platform/db/database.ts';
import { requirePerson } from '../../platform/identity/current-person.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { personActor } from '../audit/audit.repository.ts';
import { importUsageReadings } from './usage.service.ts';
import { USAGE_ADMIN_PATH, UsageImportPage } from './usage.views.tsx';
import { usageImportServices } from './usage-access.ts';
import { describeCsvFileError, readUsageCsv } from './usage-csv.ts';

/** 20 MB: about 200,000 readings, a year of daily readings for several hundred projects. */
export const USAGE_FILE_MAX_BYTES = 20 * 1024 * 1024;

/** Back office: the storage teams upload a storage system's usage report (CSV). */
export async function usageAdminRoutes(app: FastifyInstance, options: { db: Executor; clock: Clock }) {
  const { db, clock } = options;
  await app.register(multipart, { limits: { fileSize: USAGE_FILE_MAX_BYTES, files: 1, fields: 5, parts: 6 } });

  app.get(USAGE_ADMIN_PATH, async (request, reply) => {
    usageImportServices(requirePerson(request));
    return sendPage(reply, <UsageImportPage context={pageContext(request, reply)} />);
  });

  app.post(USAGE_ADMIN_PATH, async (request, reply) => {
    const person = requirePerson(request);
    const services = usageImportServices(person);
    const refuse = (message: string) =>
      sendPage(reply, <UsageImportPage context={pageContext(request, reply)} errors={{ usageFile: message }} />, 422);
    const upload = await readUpload(request);
    if ('error' in upload) return refuse(upload.error);
    let raws: Awaited<ReturnType<typeof readUsageCsv>>;
    try {
      raws = await readUsageCsv(upload.bytes);
    } catch (error) {
      if (!(error instanceof CsvFileError)) throw error;
      return refuse(`Nothing was imported: ${describeCsvFileError(error)}`);
    }
    const result = await importUsageReadings(db, raws, {
      today: clock.today().toString(),
      source: `csv upload by ${person.crsid}: ${upload.fileName}`,
      actor: personActor(person),
      services,
    });
    return sendPage(reply, <UsageImportPage context={pageContext(request, reply)} result={result} />);
  });
}

/** The uploaded CSV file's bytes, or why there are none. */
async function readUpload(request: FastifyRequest): Promise<{ bytes: Buffer; fileName: string } | { error: string }> {
  if (!request.isMultipart()) return { error: 'Choose a CSV file to import' };
  let file: { bytes: Buffer; fileName: string } | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file' && part.fieldname === 'usageFile' && part.filename) {
        file = { bytes: await part.toBuffer(), fileName: part.filename };
      } else if (part.type === 'file') {
        await part.toBuffer();
      }
    }
  } catch (error) {
    if ((error as { code?: string }).code !== 'FST_REQ_FILE_TOO_LARGE') throw error;
    return { error: 'The file must be 20 MB or smaller: split it and import each part' };
  }
  // An empty file was chosen all the same: the CSV reader says it holds no readings.
  if (!file) return { error: 'Choose a CSV file to import' };
  return file;
}
