import type { TestProject } from 'vitest/node';
import { prepareCufsTemplate } from '../../../cufs/test/support/cufs-test-database.ts';
import { prepareTemplate } from './test-database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseTemplate: string;
  }
}

/**
 * Migrates and seeds one gateway template database and migrates one CUFS template per project and
 * run, on the project's engine (its TEST_DATABASE_URL: PostgreSQL, or empty for PGlite); every test
 * file starts from copies of them.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = project.config.env.TEST_DATABASE_URL || undefined;
  const [template, cufsTemplate] = await Promise.all([prepareTemplate(server), prepareCufsTemplate(server)]);
  project.provide('databaseTemplate', template.reference);
  project.provide('cufsDatabaseTemplate', cufsTemplate.reference);
  return async () => {
    await template.dispose();
    await cufsTemplate.dispose();
  };
}
