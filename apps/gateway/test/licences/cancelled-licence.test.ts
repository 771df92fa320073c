import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertStorage } from '../support/storage-fixtures.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

/** A cancelled licence has ended: no page reads as if it still runs to its end date, or its projects were in use. */
describe('a cancelled licence', () => {
  let t: TestApp;
  let alice: Browser;
  let licenceId: number;
  let projectId: number;

  beforeAll(async () => {
    t = await startTestApp();
    const storage = await insertStorage(t.database.db, {
      name: 'Cancelled survey',
      owner: 'ar101',
      sizeTb: 5,
      status: 'cancelled',
      startDate: '2026-12-07',
      endDate: '2036-12-06',
      projects: [{ name: 'cancelled-proj', status: 'active' }],
      order: { status: 'completed' },
    });
    licenceId = storage.licenceId;
    projectId = storage.projectIds[0] as number;
    alice = new Browser(t.app);
    await alice.signInAs('ar101');
  });
  afterAll(() => t.close());

  const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
  const rowOf = (html: string, what: string) =>
    text(html.match(new RegExp(`<tr>(?:(?!</tr>).)*${what}(?:(?!</tr>).)*</tr>`, 's'))?.[0] ?? '');

  it('says on My storage that it was cancelled, not when it ends or how long is left', async () => {
    const row = rowOf((await alice.get('/storage/')).body, 'Cancelled survey');
    expect(row).toContain('Cancelled survey');
    expect(row).not.toContain('6 December 2036');
    expect(row).not.toContain('days left');
    expect(row).toContain('Cancelled');
    expect(row).toContain('None: the licence was cancelled');
  });

  it('says on its page that it was cancelled instead of an end date, and its projects are not in use', async () => {
    const page = await alice.get(`/storage/licence/${licenceId}/`);
    expect(page.statusCode).toBe(200);
    expect(text(page.body)).not.toContain('6 December 2036');
    const project = rowOf(page.body, 'cancelled-proj');
    expect(project).toContain('cancelled-proj');
    expect(project).not.toContain('Active');
    expect(project).toContain('Cancelled');
  });

  it('does not call its project active on the project’s page', async () => {
    const page = await alice.get(`/storage/project/${projectId}/`);
    expect(page.statusCode).toBe(200);
    const status = text(page.body.match(/<dt>Status<\/dt>\s*<dd>[\s\S]*?<\/dd>/)?.[0] ?? '');
    expect(status).not.toContain('Active');
    expect(status).toContain('Cancelled');
    expect(status).toContain('Its licence is cancelled, so this storage project can no longer be used.');
  });
});
