import type { Executor } from '../../platform/db/database.ts';
import type { InstitutionsTable, ServiceCode, StaffRole } from './people.tables.ts';

export const DEMO_INSTITUTIONS: InstitutionsTable[] = [
  { id: 'PHYS', name: 'Department of Physics', kind: 'department', customer_class: 'internal' },
  { id: 'CHEM', name: 'Yusuf Hamied Department of Chemistry', kind: 'department', customer_class: 'internal' },
  { id: 'GEN', name: 'Department of Genetics', kind: 'department', customer_class: 'internal' },
  { id: 'ENG', name: 'Department of Engineering', kind: 'department', customer_class: 'internal' },
  { id: 'UIS', name: 'University Information Services', kind: 'department', customer_class: 'internal' },
  { id: 'KINGS', name: "King's College", kind: 'college', customer_class: 'external' },
  { id: 'TRIN', name: 'Trinity College', kind: 'college', customer_class: 'external' },
  { id: 'ACME', name: 'Acme Biotech Ltd (research partner)', kind: 'external', customer_class: 'external' },
];

interface DemoPerson {
  crsid: string;
  displayName: string;
  institutionId: string;
  roles: Array<{ role: StaffRole; service: ServiceCode | null }>;
  /** What the person is for in the demo, shown in the README. */
  demoRole: string;
}

export const DEMO_PEOPLE: DemoPerson[] = [
  {
    crsid: 'ar101',
    displayName: 'Alice Researcher',
    institutionId: 'PHYS',
    roles: [],
    demoRole: 'a principal investigator who buys research storage',
  },
  {
    crsid: 'bm202',
    displayName: 'Ben Manager',
    institutionId: 'PHYS',
    roles: [],
    demoRole: 'a research group member to add as a Data Manager',
  },
  {
    crsid: 'da303',
    displayName: 'Dana Administrator',
    institutionId: 'CHEM',
    roles: [],
    demoRole: 'a departmental administrator who buys institutional storage',
  },
  {
    crsid: 'cb404',
    displayName: 'Chloe Bursar',
    institutionId: 'KINGS',
    roles: [],
    demoRole: 'a College buyer (external price, VAT)',
  },
  {
    crsid: 'rs501',
    displayName: 'Rosa Storage',
    institutionId: 'UIS',
    roles: [{ role: 'service-admin', service: 'research' }],
    demoRole: 'the research storage team (RCS)',
  },
  {
    crsid: 'if502',
    displayName: 'Ifan Files',
    institutionId: 'UIS',
    roles: [{ role: 'service-admin', service: 'institutional' }],
    demoRole: 'the institutional file storage team (IFS)',
  },
  {
    crsid: 'fn601',
    displayName: 'Farah Finance',
    institutionId: 'UIS',
    roles: [{ role: 'finance', service: null }],
    demoRole: 'Finance',
  },
  {
    crsid: 'su701',
    displayName: 'Sam Superuser',
    institutionId: 'UIS',
    roles: [{ role: 'superuser', service: null }],
    demoRole: 'a superuser',
  },
];

/**
 * A demo person who has left the University: the seeded directory says so, while the gateway
 * still has them as current and a Data Manager of the demo licence (seedDemoShowcase), until the
 * directory sync flags them.
 */
export const DEMO_LEAVER = {
  crsid: 'lj909',
  displayName: 'Lee Leaver',
  institutionId: 'PHYS',
} as const;

/**
 * In the demo directory but not among the gateway's people, as someone who has never signed in:
 * name them as a Data Manager or project member and the gateway finds them in the directory.
 */
export const DEMO_NEWCOMER = {
  crsid: 'nn808',
  displayName: 'Nia Newcomer',
  institutionId: 'PHYS',
} as const;

/** The demo directory: institutions, people and their staff roles, and the seeded directory table. Safe to run again. */
export async function seedDirectory(db: Executor): Promise<void> {
  await db
    .insertInto('institutions')
    .values(DEMO_INSTITUTIONS)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  await db
    .insertInto('people')
    .values(
      DEMO_PEOPLE.map((person) => ({
        crsid: person.crsid,
        display_name: person.displayName,
        email: `${person.crsid}@cam.ac.uk`,
        institution_id: person.institutionId,
      })),
    )
    .onConflict((oc) => oc.column('crsid').doNothing())
    .execute();
  await db
    .insertInto('directory_people')
    .values([
      ...DEMO_PEOPLE.map((person) => ({
        crsid: person.crsid,
        display_name: person.displayName,
        email: `${person.crsid}@cam.ac.uk`,
        institution_id: person.institutionId,
        status: 'current' as const,
      })),
      {
        crsid: DEMO_LEAVER.crsid,
        display_name: DEMO_LEAVER.displayName,
        email: `${DEMO_LEAVER.crsid}@cam.ac.uk`,
        institution_id: DEMO_LEAVER.institutionId,
        status: 'left',
      },
      {
        crsid: DEMO_NEWCOMER.crsid,
        display_name: DEMO_NEWCOMER.displayName,
        email: `${DEMO_NEWCOMER.crsid}@cam.ac.uk`,
        institution_id: DEMO_NEWCOMER.institutionId,
        status: 'current',
      },
    ])
    .onConflict((oc) => oc.column('crsid').doNothing())
    .execute();
  const ids = await db
    .selectFrom('people')
    .select(['id', 'crsid'])
    .where(
      'crsid',
      'in',
      DEMO_PEOPLE.map((p) => p.crsid),
    )
    .execute();
  const idByCrsid = new Map(ids.map((row) => [row.crsid, row.id]));
  const grants = DEMO_PEOPLE.flatMap((person) =>
    person.roles.map((grant) => ({
      person_id: idByCrsid.get(person.crsid) as number,
      role: grant.role,
      service: grant.service,
    })),
  );
  if (grants.length > 0)
    await db
      .insertInto('staff_roles')
      .values(grants)
      .onConflict((oc) => oc.doNothing())
      .execute();
}

/** The demo leaver as the gateway knew them before they left (current): returns their id. Safe to run again. */
export async function seedDemoLeaver(db: Executor): Promise<number> {
  const row = await db
    .insertInto('people')
    .values({
      crsid: DEMO_LEAVER.crsid,
      display_name: DEMO_LEAVER.displayName,
      email: `${DEMO_LEAVER.crsid}@cam.ac.uk`,
      institution_id: DEMO_LEAVER.institutionId,
    })
    .onConflict((oc) => oc.column('crsid').doUpdateSet({ crsid: DEMO_LEAVER.crsid }))
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
