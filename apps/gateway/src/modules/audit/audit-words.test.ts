import { describe, expect, it } from 'vitest';
import type { PersonWithRoles } from '../people/people.repository.ts';
import { auditScopeFor, mayReadAuditEntry } from './audit-access.ts';
import { actorWords, describeChanges, entityWords, humanise } from './audit-words.ts';

describe('describeChanges', () => {
  it('lists each changed field as field: old → new', () => {
    expect(describeChanges({ sizeTb: 5, name: 'Lab data' }, { sizeTb: 8, name: 'Lab data' })).toEqual([
      'size TB: 5 → 8',
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

  it('gives a value that appeared without an arrow, and one that went as none', () => {
    expect(describeChanges(null, { reason: 'Moving labs', sizeTb: 3 })).toEqual(['reason: Moving labs', 'size TB: 3']);
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
      'pence per TB year: £50.00 → £62.50',
    ]);
    expect(describeChanges({ active: true }, { active: false })).toEqual(['active: yes → no']);
    expect(describeChanges({ groups: [] }, { groups: ['rds-lab', 'rds-lab-ro'] })).toEqual([
      'groups: none → rds-lab, rds-lab-ro',
    ]);
    expect(describeChanges({}, { quota: { tb: 2 } })).toEqual(['quota: {"tb":2}']);
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
    expect(mayReadAuditEntry(customer, { service: 'research', entityType: 'order' })).toBe(false);
  });
});
