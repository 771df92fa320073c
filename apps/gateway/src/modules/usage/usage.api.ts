import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import { apiRoute, documentedBounds } from '../../platform/web/openapi.ts';
import { personActor } from '../audit/audit.repository.ts';
import { importUsageReadings } from './usage.service.ts';
import { usageImportServices } from './usage-access.ts';
import type { ReadingFieldNames } from './usage-readings.ts';

/** Readings per call: a storage system with more sends several calls. */
export const MAX_READINGS_PER_CALL = 5000;

/**
 * The body's largest size: room for the most readings with long paths (up to MAX_PATH_LENGTH
 * characters) at 2 KB a reading, where the app's 1 MiB refused 5,000 readings of paths over
 * about 130 characters.
 */
const MAX_BODY_BYTES = MAX_READINGS_PER_CALL * 2048;

/** How many of a call's readings: 0 up to all of them. */
const readingCount = () => z.int().meta(documentedBounds(0, MAX_READINGS_PER_CALL));

const importResult = z.object({
  read: readingCount().describe('Readings received.'),
  added: readingCount().describe('New readings stored.'),
  changed: readingCount().describe('Readings that replaced a different value for the same project and day.'),
  unchanged: readingCount().describe('Readings already stored with the same value.'),
  rejected: z
    .array(
      z.object({
        line: z
          .int()
          .meta(documentedBounds(1, MAX_READINGS_PER_CALL))
          .describe("The reading's position in the list, from 1."),
        reason: z.string(),
      }),
    )
    .describe('The readings not stored, each with why; every other reading was stored.'),
});

/** A rejection names a reading's fields as the API's caller sent them, not as the CSV's columns. */
const API_FIELD_NAMES: ReadingFieldNames = { readOn: 'readOn', usedBytes: 'usedBytes' };

/** The JSON API for storage systems to push their usage readings. */
export async function usageApi(app: FastifyInstance, options: { db: Executor; clock: Clock }) {
  const { db, clock } = options;
  apiRoute(
    app,
    {
      method: 'POST',
      path: '/api/usage-readings',
      operationId: 'importUsageReadings',
      summary: 'Push storage usage readings',
      description:
        "For storage systems: each reading is a storage project's path on the storage system, the day it was read and the bytes used. A reading for a project and day already stored replaces it. Readings with a problem (an unknown path, a bad date or number, a day in the future) are listed in `rejected` and the rest stored. Only the storage teams' staff (and superusers) may call it, for their own service's projects.",
      tags: ['Usage'],
      body: z.strictObject({
        readings: z
          .array(
            // The API's words for a missing or mistyped field, naming it, not zod's "Invalid input".
            z.strictObject({
              path: z
                .string({ error: "Give path: the storage project's path on the storage system" })
                .describe("The storage project's path on the storage system."),
              readOn: z
                .string({ error: 'Give readOn: the day it was read, YYYY-MM-DD' })
                .describe('The day it was read, YYYY-MM-DD, not in the future.'),
              // A reading that is no whole number of bytes, or too large, is rejected (in `rejected`) by
              // usage-readings.ts, as a CSV's is. A number too large for the safe integers goes there
              // as its digits, so it is rejected as too large, not as "1e+21", no whole number.
              usedBytes: z
                .preprocess(
                  (value) =>
                    typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)
                      ? BigInt(value).toString()
                      : value,
                  z.union([z.number().meta(documentedBounds(0)), z.string()], {
                    error: 'Give usedBytes: the bytes used, as a whole number (a number, or digits in a string)',
                  }),
                )
                .describe('Bytes used: a whole number, 0 or more (a number, or digits in a string).'),
            }),
          )
          .min(1)
          .max(MAX_READINGS_PER_CALL),
      }),
      bodyLimit: MAX_BODY_BYTES,
      response: importResult,
      errors: ['forbidden'],
    },
    async ({ body, person }) => {
      const services = usageImportServices(person);
      return importUsageReadings(
        db,
        body.readings.map((reading, index) => ({ line: index + 1, ...reading })),
        {
          today: clock.today().toString(),
          source: `api: ${person.crsid}`,
          actor: personActor(person),
          services,
          fieldNames: API_FIELD_NAMES,
        },
      );
    },
  );
}
