import type { TestProject } from 'vitest/node';
import { prepareCufsTemplate } from '../../../cufs/test/support/cufs-test-database.ts';
import { prepareTemplate } from './test-database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseTemplate: string;
  }
}

/**
 * Migrates and seeds one gateway template database and migrates one CUFS template per run; every
 * test file starts from copies of them.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [template, cufsTemplate] = await Promise.all([prepareTemplate(), prepareCufsTemplate()]);
  project.provide('databaseTemplate', template.reference);
  project.provide('cufsDatabaseTemplate', cufsTemplate.reference);
  return async () => {
    await template.dispose();
    await cufsTemplate.dispose();
  };
}
