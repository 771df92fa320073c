import type { TestProject } from 'vitest/node';
import { prepareCufsTemplate } from '../../../cufs/test/support/cufs-test-database.ts';
import { prepareTemplate, type Template } from './test-database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseTemplate: string;
  }
}

interface SharedTemplates {
  ready: Promise<[Template, Template]>;
  /** Projects that have not yet torn down. */
  users: number;
}

/**
 * The templates of the run by engine ('' for PGlite): the integration and e2e projects both run on
 * PGlite and can start from the same ones. Each project loads this module on its own, so they meet
 * on the main process's global object.
 */
const runGlobals = globalThis as { ssgwTestTemplates?: Map<string, SharedTemplates> };
runGlobals.ssgwTestTemplates ??= new Map();
const shared = runGlobals.ssgwTestTemplates;

/**
 * Migrates and seeds one gateway template database and migrates one CUFS template per engine and
 * run (the project's TEST_DATABASE_URL: PostgreSQL, or empty for PGlite); every test file starts
 * from copies of them. The last project to finish removes them.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = project.config.env.TEST_DATABASE_URL || undefined;
  const key = server ?? '';
  let templates = shared.get(key);
  if (!templates) {
    templates = { ready: Promise.all([prepareTemplate(server), prepareCufsTemplate(server)]), users: 0 };
    shared.set(key, templates);
  }
  templates.users += 1;
  const [template, cufsTemplate] = await templates.ready;
  project.provide('databaseTemplate', template.reference);
  project.provide('cufsDatabaseTemplate', cufsTemplate.reference);
  return async () => {
    if (!templates || --templates.users > 0) return;
    shared.delete(key);
    await template.dispose();
    await cufsTemplate.dispose();
  };
}
