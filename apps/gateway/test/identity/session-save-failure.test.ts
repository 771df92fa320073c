import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testEngine } from '../support/test-database.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  // The database was closed under the app by the last test.
  await t?.close().catch(() => {});
});

// An anonymous visitor's sign-in page: its session (holding the form's CSRF secret) is written as
// the page is sent, and that write is what fails.
describe(`a session that cannot be saved (${testEngine})`, () => {
  it('answers with the error page, not raw JSON, when the database refuses the write', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/sign-in' })).statusCode).toBeLessThan(400);
    await t.database.db.schema.alterTable('sessions').renameTo('sessions_away').execute();
    try {
      const response = await t.app.inject({ method: 'GET', url: '/sign-in' });
      expect(response.headers['content-type']).toMatch(/text\/html/);
      expect(response.statusCode).toBe(500);
      expect(response.body).toContain(`tell us the reference ${response.headers['x-request-id']}`);
    } finally {
      await t.database.db.schema.alterTable('sessions_away').renameTo('sessions').execute();
    }
  });

  it('answers 503, try again shortly, on the error page when the database cannot be reached', async () => {
    // The database goes away under the running app.
    if (t.database.pglite) await t.database.pglite.close();
    else await t.database.pool?.end();
    const response = await t.app.inject({ method: 'GET', url: '/sign-in' });
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('try again shortly');
    expect(response.body).not.toContain('statusCode');
  });
});
