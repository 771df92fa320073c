import { describe, expect, it } from 'vitest';
import type { PersonWithRoles } from '../people/people.repository.ts';
import { auditScopeFor, mayReadAuditEntry } from './audit-access.ts';
import { auditSearchHref, normaliseEntityId, parseAuditQuery } from './audit-query.ts';
import { actorWords, describeChanges, entityWords, humanise, inCustomerHistory } from './audit-words.ts';

describe('describeChanges', () => {
  it('lists each changed field as field: old → new', () => {
    expect(describeChanges({ sizeTb: 5, name: 'Lab data' }, { sizeTb: 8, name: 'Lab data' })).toEqual([
      'size: 5 TB → 8 TB',
    ]);
  });

  it('shows statuses in the words the site uses for that kind of record', () => {
    expect(describeChanges({ status: 'pending' }, { status: 'active' }, 'licence')).toEqual([
      'status: Waiting to be set up → Active',
    ]);
    expect(describeChanges({ status: 'awaiting-approval' }, { status: 'approved' }, 'order')).toEqual([
      'status: Waiting for approval → Approved',
    ]);
    // The same value on another kind of record is shown as it is.
    expect(describeChanges({ status: 'pending' }, { status: 'active' }, 'voucher')).toEqual([
      'status: pending → active',
    ]);
  });

  it("names a storage project's people by their roles, never as codes or JSON", () => {
    expect(describeChanges(null, { crsid: 'nc888', role: 'project-data-user' }, 'storage-project')).toEqual([
      'person: nc888',
      'role: Project Data User',
    ]);
    expect(describeChanges(null, { crsid: 'nc888' }, 'storage-project', 'staff')).toEqual(['CRSid: nc888']);
    expect(
      describeChanges(
        {
          members: [
            { crsid: 'da303', role: 'project-data-manager' },
            { crsid: 'nc888', role: 'project-data-user' },
          ],
        },
        {},
        'storage-project',
      ),
    ).toEqual(['members: da303 (Project Data Manager), nc888 (Project Data User) → none']);
  });

  it('gives a value that appeared without an arrow, and one that went as none', () => {
    expect(describeChanges(null, { reason: 'Moving labs', sizeTb: 3 })).toEqual(['reason: Moving labs', 'size: 3 TB']);
    expect(describeChanges({ lockReason: 'Audit' }, { lockReason: null })).toEqual(['lock reason: Audit → none']);
    expect(describeChanges({ lockReason: 'Audit' }, {})).toEqual(['lock reason: Audit → none']);
    expect(describeChanges({ lockedBy: null }, { lockedBy: 'rs501' })).toEqual(['locked by: none → rs501']);
  });

  it('leaves out fields whose value did not change, nested ones compared by value', () => {
    expect(describeChanges({ groups: ['a', 'b'], quota: { tb: 1 } }, { groups: ['a', 'b'], quota: { tb: 1 } })).toEqual(
      [],
    );
    expect(describeChanges(undefined, null)).toEqual([]);
    expect(describeChanges({ note: null }, {})).toEqual([]);
  });

  it('writes money in pounds, yes/no for flags, lists joined, objects as JSON', () => {
    expect(describeChanges({ pencePerTbYear: 5000 }, { pencePerTbYear: 6250 })).toEqual([
      'price per TB per year: £50.00 → £62.50',
    ]);
    expect(describeChanges({ active: true }, { active: false })).toEqual(['on sale: yes → no']);
    expect(describeChanges({ groups: [] }, { groups: ['rds-lab', 'rds-lab-ro'] })).toEqual([
      'groups: none → rds-lab, rds-lab-ro',
    ]);
    expect(describeChanges({}, { quota: { tb: 2 } })).toEqual(['quota: {"tb":2}']);
  });

  // A change order's entry on the licence page read "kind: recovery; ends on: 2027-10-15; payment:
  // purchase-order; … licence status: cold".
  it('writes a change order’s kind, payment method, licence status and dates as its pages do', () => {
    expect(
      describeChanges(
        null,
        {
          kind: 'recovery',
          payment: 'purchase-order',
          startsOn: '2026-10-16',
          licenceStatus: 'cold',
          licenceEndDate: '2028-02-29',
        },
        'order',
      ),
    ).toEqual([
      'kind: Recovery from the cold store',
      'payment method: Purchase order',
      'starts on: 16 October 2026',
      'licence status: In the cold store',
      'licence end date: 29 February 2028',
    ]);
    expect(describeChanges({ endDate: '2027-07-31' }, { endDate: '2028-07-31' }, 'licence')).toEqual([
      'end date: 31 July 2027 → 31 July 2028',
    ]);
    // Not a calendar date, or another record's kind: as it is.
    expect(describeChanges(null, { note: '2026-13-45', kind: 'renewal' }, 'voucher')).toEqual([
      'note: 2026-13-45',
      'kind: renewal',
    ]);
  });

  // The tester read "total pence: £162.00; check status: not-needed; pence per TB year: £54.00",
  // "run: 2; provisioner: manual" and, on the staff order page, "Approved → Done" where it says "Completed".
  it('gives every field its label and every code its words, in the words of the reader’s pages', () => {
    expect(
      describeChanges(
        null,
        { status: 'awaiting-approval', totalPence: 16200, checkStatus: 'not-needed', pencePerTbYear: 5400 },
        'order',
      ),
    ).toEqual([
      'status: Waiting for approval',
      'total: £162.00',
      'finance code check: No check needed',
      'price per TB per year: £54.00',
    ]);
    expect(
      describeChanges(
        { status: 'approved' },
        { status: 'provisioning', run: 2, provisioner: 'manual' },
        'order',
        'staff',
      ),
    ).toEqual(['status: Approved, to provision → Provisioning', 'provisioning run: 2', 'storage: by hand']);
    expect(describeChanges({ status: 'provisioning' }, { status: 'completed' }, 'order')).toEqual([
      'status: Being set up → Done',
    ]);
    expect(describeChanges({ status: 'approved' }, { status: 'completed' }, 'order', 'staff')).toEqual([
      'status: Approved, to provision → Completed',
    ]);
    expect(
      describeChanges({ status: 'awaiting-approval' }, { status: 'approved', decidedBy: 'rs501' }, 'order', 'staff'),
    ).toEqual(['status: Awaiting approval → Approved, to provision', 'decided by: rs501']);
    // A quote is recorded by its columns' names.
    expect(
      describeChanges(null, { total_pence: 16200, change_kind: 'renewal', valid_until: '2026-12-27' }, 'quote'),
    ).toEqual(['total: £162.00', 'change: Renewal', 'valid until: 27 December 2026']);
    expect(
      describeChanges(null, { flag: 'member-left', usedBytes: 9_300_000_000_000, percent: 93 }, 'licence'),
    ).toEqual(['flag: Member has left', 'used: 9.3 TB', 'percentage used: 93%']);
  });

  // An editor read "department: KINGS", "product: RDS", "size TB: 3", "decided by: rs501",
  // "provisioning run: 11; storage: by hand" in the history on the customer's licence page.
  it("writes a customer's history with names for codes and CRSids, sizes in TB, and no bookkeeping", () => {
    const names = {
      people: new Map([
        ['ar101', 'Alice Researcher'],
        ['bm202', 'Ben Manager'],
        ['da303', 'Dana Administrator'],
      ]),
      departments: new Map([['KINGS', "King's College"]]),
      products: new Map([['RDS', 'Research Data Store']]),
    };
    const requested = {
      product: 'RDS',
      sizeTb: 3,
      department: 'KINGS',
      owner: 'ar101',
      managers: ['bm202', 'zz999'],
      project: null,
    };
    expect(describeChanges(null, requested, 'licence', 'customer', names)).toEqual([
      'product: Research Data Store',
      'size: 3 TB',
      "department: King's College",
      'Data Owner: Alice Researcher (ar101)',
      'Data Managers: Ben Manager (bm202), zz999',
    ]);
    expect(
      describeChanges(
        { status: 'approved' },
        { status: 'provisioning', run: 11, provisioner: 'manual', decidedBy: 'rs501' },
        'order',
        'customer',
        names,
      ),
    ).toEqual(['status: Approved → Being set up']);
    expect(
      describeChanges(
        { members: [{ crsid: 'da303', role: 'project-data-manager' }] },
        {},
        'storage-project',
        'customer',
        names,
      ),
    ).toEqual(['members: Dana Administrator (da303) as Project Data Manager → none']);
    expect(describeChanges(null, { crsid: 'bm202' }, 'storage-project', 'customer', names)).toEqual([
      'person: Ben Manager (bm202)',
    ]);
    // The staff's pages keep their own words.
    expect(describeChanges(null, { run: 11, addTb: 2, licenceSizeTb: 5 }, 'order', 'staff')).toEqual([
      'provisioning run: 11',
      'size added: 2 TB',
      'licence size: 5 TB',
    ]);
  });

  it('reads a field it has no label for as words, never as its code name', () => {
    expect(describeChanges(null, { depositPence: 500, pencePerTbMonth: 450, orderId: 7 })).toEqual([
      'deposit: £5.00',
      'price per TB month: £4.50',
      'order number: 7',
    ]);
  });

  it('keeps the before fields first, then the new ones', () => {
    expect(describeChanges({ b: 1, a: 1 }, { c: 1, a: 2, b: 2 })).toEqual(['b: 1 → 2', 'a: 1 → 2', 'c: 1']);
  });
});

describe('words for entries', () => {
  it('humanises actions and field names, keeping acronyms', () => {
    expect(humanise('finance code changed')).toBe('Finance code changed');
    expect(humanise('poNumber')).toBe('PO number');
    expect(humanise('size_tb')).toBe('Size TB');
    expect(humanise('ownerCrsid')).toBe('Owner CRSid');
    expect(describeChanges({}, { crsid: 'bm202', managerCrsids: ['ar101'] }, '', 'staff')).toEqual([
      'CRSid: bm202',
      'Data Managers: ar101',
    ]);
  });

  it('names entity types, including ones this build does not know', () => {
    expect(entityWords('storage-project')).toBe('Storage project');
    expect(entityWords('view-as')).toBe('Viewing as a customer');
    expect(entityWords('billing-run')).toBe('Billing run');
  });

  it('says who acted: a person with their name, or the system job', () => {
    expect(actorWords('rs501', 'Rachel Smith')).toBe('Rachel Smith (rs501)');
    expect(actorWords('rs501')).toBe('rs501');
    expect(actorWords('system: payment check')).toBe('Automatic (payment check)');
  });
});

function person(staffRoles: PersonWithRoles['staffRoles']): PersonWithRoles {
  return { id: 1, crsid: 'x', displayName: 'X', email: 'x@cam.ac.uk', institutionId: null, staffRoles };
}

describe("a customer's history", () => {
  it('leaves out the storage being told of a nightly step (the step itself stays); staff pages show every entry', () => {
    const entry = (actorLabel: string, action: string) => ({ actorLabel, entityType: 'licence', action });
    expect(inCustomerHistory(entry('system: lifecycle', 'suspended (end date passed)'))).toBe(true);
    expect(inCustomerHistory(entry('system: provisioner (manual)', 'storage told: read-only'))).toBe(false);
    expect(inCustomerHistory(entry('system: provisioner (command)', 'storage told: to the cold store'))).toBe(false);
    // what a provisioner did to the licence itself is the customer's news
    expect(inCustomerHistory(entry('system: provisioner (command)', 'activated'))).toBe(true);
    expect(inCustomerHistory(entry('rs501', 'storage told: read-only'))).toBe(true);
  });
});

describe('who reads which audit entries', () => {
  const research = auditScopeFor(person([{ role: 'service-admin', service: 'research' }]));
  const finance = auditScopeFor(person([{ role: 'finance', service: null }]));
  const superuser = auditScopeFor(person([{ role: 'superuser', service: null }]));
  const customer = auditScopeFor(person([]));

  it('a service team reads its own service only', () => {
    expect(mayReadAuditEntry(research, { service: 'research', entityType: 'order' })).toBe(true);
    expect(mayReadAuditEntry(research, { service: 'institutional', entityType: 'order' })).toBe(false);
  });

  it('Finance reads both services; entries of no service are for superusers', () => {
    expect(mayReadAuditEntry(finance, { service: 'institutional', entityType: 'licence' })).toBe(true);
    expect(mayReadAuditEntry(finance, { service: null, entityType: 'personal-access-token' })).toBe(false);
    expect(mayReadAuditEntry(superuser, { service: null, entityType: 'personal-access-token' })).toBe(true);
  });

  it('every member of staff reads entries about people and roles; customers read none', () => {
    expect(mayReadAuditEntry(research, { service: null, entityType: 'staff-role' })).toBe(true);
    expect(mayReadAuditEntry(finance, { service: null, entityType: 'view-as' })).toBe(true);
    expect(mayReadAuditEntry(customer, { service: null, entityType: 'view-as' })).toBe(false);
    // A usage import is read by the staff of the services whose projects it wrote.
    const imported = { service: null, entityType: 'usage-import', after: { added: 3, services: ['research'] } };
    expect(mayReadAuditEntry(research, imported)).toBe(true);
    expect(mayReadAuditEntry(finance, imported)).toBe(true);
    expect(
      mayReadAuditEntry(auditScopeFor(person([{ role: 'service-admin', service: 'institutional' }])), imported),
    ).toBe(false);
    expect(mayReadAuditEntry(research, { ...imported, after: { added: 3 } })).toBe(false);
    expect(mayReadAuditEntry(customer, { service: 'research', entityType: 'order' })).toBe(false);
  });
});

describe('the audit search form', () => {
  it('turns a range of days into London instants, BST included, both days whole', () => {
    const parsed = parseAuditQuery({ from: '2026-07-01', to: '2026-07-01' });
    expect(parsed.ok && parsed.search.from?.toISOString()).toBe('2026-06-30T23:00:00.000Z');
    expect(parsed.ok && parsed.search.until?.toISOString()).toBe('2026-07-01T23:00:00.000Z');
    const winter = parseAuditQuery({ from: '2026-12-31', to: '2027-01-01' });
    expect(winter.ok && winter.search.from?.toISOString()).toBe('2026-12-31T00:00:00.000Z');
    expect(winter.ok && winter.search.until?.toISOString()).toBe('2027-01-02T00:00:00.000Z');
  });

  it('refuses days that are not dates, a range that ends before it starts, and an id without its kind', () => {
    const parsed = parseAuditQuery({ from: '2026-02-30', to: 'yesterday', entityId: '5' });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(Object.keys(parsed.errors).sort()).toEqual(['entityType', 'from', 'to']);
    const backwards = parseAuditQuery({ from: '2026-11-02', to: '2026-11-01' });
    expect(!backwards.ok && backwards.errors.to).toMatch(/after the first day/);
    expect(parseAuditQuery({ entityType: 'bogus' }).ok).toBe(false);
  });

  it('reads an order by any way of writing its reference, and a CRSid in lower case', () => {
    for (const id of ['12', 'ord-12', 'ORD-000012', 'ord000012']) {
      const parsed = parseAuditQuery({ entityType: 'order', entityId: ` ${id} `, actor: 'RS501' });
      expect(parsed.ok && parsed.search).toMatchObject({
        entityTypes: ['order'],
        entityId: 'ORD-000012',
        actor: 'rs501',
      });
    }
    expect(normaliseEntityId('licence', '5')).toBe('5');
    // Without a kind, a reference's prefix says what it is: an order's also names its payment's entries.
    for (const id of ['ord-12', 'ORD-000012', 'ord000012']) {
      const parsed = parseAuditQuery({ entityId: id });
      expect(parsed.ok && parsed.search).toMatchObject({ entityTypes: ['order', 'payment'], entityId: 'ORD-000012' });
      expect(parsed.ok && parsed.values).toMatchObject({ entityType: '', entityId: 'ORD-000012' });
    }
    const quote = parseAuditQuery({ entityId: 'Q-7' });
    expect(quote.ok && quote.search).toMatchObject({ entityTypes: ['quote'], entityId: 'Q-000007' });
    for (const id of ['12', 'IFS-7KQM-X3TD', 'RDS-12']) expect(parseAuditQuery({ entityId: id }).ok, id).toBe(false);
    expect(normaliseEntityId('quote', 'q-7')).toBe('Q-000007');
    expect(normaliseEntityId('voucher', 'ifs-7kqm-x3td')).toBe('IFS-7KQM-X3TD');
  });

  it('keeps only the fields given in the pages’ links', () => {
    const values = { entityType: 'order', entityId: 'ORD-000012', actor: '', from: '', to: '' };
    expect(auditSearchHref(values, 1)).toBe('/admin/audit/?entityType=order&entityId=ORD-000012');
    expect(auditSearchHref({ ...values, entityType: '', entityId: '' }, 3)).toBe('/admin/audit/?page=3');
  });
});
