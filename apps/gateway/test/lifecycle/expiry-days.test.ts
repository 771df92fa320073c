import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { licenceReminderEmail } from '../../src/modules/lifecycle/lifecycle.emails.tsx';
import type { LifecycleNotice } from '../../src/modules/lifecycle/lifecycle.repository.ts';
import { renderNotice } from '../../src/modules/lifecycle/lifecycle.service.ts';
import { DEFAULT_LIFECYCLE_SETTINGS } from '../../src/modules/lifecycle/lifecycle-dates.ts';
import { insertStorage } from '../support/storage-fixtures.ts';
import { Browser, startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * The expiry emails and the licence's page name the days an unrenewed licence takes its steps
 * (a tester found only "30 days after the end date … 6 months after the end date"), computed from
 * the lifecycle settings: a licence ending on 31 August 2027 is read-only from 1 September, in
 * the cold store from 30 September 2027 and can be deleted from 29 February 2028 (a leap year).
 */
const SITE = {
  serviceName: 'Storage Self-Service Gateway',
  contactEmail: 'storage-support@example.ac.uk',
  publicUrl: 'https://storage.example.ac.uk',
};

function notice(template: string, licences: LifecycleNotice['licences'], asOf = '2027-08-01'): LifecycleNotice {
  return { id: 1, template, asOf, to: 'da303@cam.ac.uk', displayName: 'Dana Administrator', licences };
}

const chemistry = { licenceId: 4, licenceName: 'Chemistry shared drive', endDate: '2027-08-31' };
const physics = { licenceId: 7, licenceName: 'Physics archive', endDate: '2027-09-15' };

describe('the expiry emails', () => {
  const render = (template: string, licences: LifecycleNotice['licences'], asOf?: string) =>
    renderNotice(notice(template, licences, asOf), DEFAULT_LIFECYCLE_SETTINGS, SITE).text;

  it('a reminder names the days the licence becomes read-only, moves to the cold store and can be deleted', () => {
    const text = render(licenceReminderEmail.name, [chemistry]);
    expect(text).toContain(
      'If it is not renewed, it becomes read-only on 1 September 2027 (its data can be read but not changed), its data moves to the cold store (tape) on 30 September 2027, and it can be deleted from 29 February 2028.',
    );
    expect(text).not.toContain('after the end date');
  });

  it('a reminder of licences ending on different days names each one’s days on its line', () => {
    const text = render(licenceReminderEmail.name, [chemistry, physics]);
    expect(text).toContain(
      '“Chemistry shared drive” ends on 31 August 2027 (in 30 days); if not renewed: read-only from 1 September 2027, in the cold store from 30 September 2027, can be deleted from 29 February 2028',
    );
    expect(text).toContain(
      '“Physics archive” ends on 15 September 2027 (in 45 days); if not renewed: read-only from 16 September 2027, in the cold store from 15 October 2027, can be deleted from 15 March 2028',
    );
  });

  it('the read-only email names the day of the cold store and of deletion', () => {
    const text = render('licence-suspended', [chemistry], '2027-09-01');
    expect(text).toContain(
      'If it is not renewed, its data moves to the cold store (tape) on 30 September 2027, and it can be deleted from 29 February 2028.',
    );
  });

  it('the cold-store email names the first day it can be deleted', () => {
    const text = render('licence-cold', [chemistry], '2027-09-30');
    expect(text).toContain('If it is not recovered, its data can be deleted from 29 February 2028.');
    expect(text).not.toContain('6 months after the end date');
  });
});

describe("an expired licence's page", () => {
  let t: TestApp;
  let dana: Browser;
  beforeAll(async () => {
    t = await startTestApp();
    dana = new Browser(t.app);
    await dana.signInAs('da303');
  });
  afterAll(() => t.close());

  it('says when a read-only licence’s data moves to the cold store, and when one in the cold store can be deleted', async () => {
    const readOnly = await insertStorage(t.database.db, {
      name: 'Chemistry expired drive',
      productCode: 'IFS',
      institutionId: 'CHEM',
      owner: 'da303',
      status: 'suspended',
      startDate: '2025-09-01',
      endDate: '2026-11-20',
      order: { status: 'completed' },
    });
    const page = (await dana.get(`/storage/licence/${readOnly.licenceId}/`)).body;
    expect(page).toContain('Expired – read-only');
    expect(page).toContain('Unless the licence is renewed, its data moves to the cold store on 20 December 2026.');

    const cold = await insertStorage(t.database.db, {
      name: 'Chemistry cold drive',
      productCode: 'IFS',
      institutionId: 'CHEM',
      owner: 'da303',
      status: 'cold',
      startDate: '2025-08-01',
      endDate: '2026-08-31',
      order: { status: 'completed' },
    });
    expect((await dana.get(`/storage/licence/${cold.licenceId}/`)).body).toContain(
      'Unless the licence is recovered, its data can be deleted from 28 February 2027.',
    );
  });
});
