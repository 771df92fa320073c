import { describe, expect, it } from 'vitest';
import type { PersonWithRoles, StaffGrant } from '../../modules/people/people.repository.ts';
import { shownInView, timeOfDay, viewEnd, viewEndsAt, viewHasEnded, viewServices } from './view-as-rules.ts';

const staff = (...staffRoles: StaffGrant[]): PersonWithRoles => ({
  id: 1,
  crsid: 'xx101',
  displayName: 'Staff Member',
  email: 'xx101@cam.ac.uk',
  institutionId: null,
  staffRoles,
});

describe('what a view shows', () => {
  it('shows a service team its own service only, Finance and superusers everything', () => {
    expect(viewServices(staff({ role: 'service-admin', service: 'institutional' }))).toEqual(['institutional']);
    expect(viewServices(staff({ role: 'service-admin', service: 'research' }))).toEqual(['research']);
    expect(viewServices(staff({ role: 'finance', service: null }))).toBeUndefined();
    expect(viewServices(staff({ role: 'superuser', service: null }))).toBeUndefined();
    // Both teams: both services, so everything.
    expect(
      viewServices(
        staff({ role: 'service-admin', service: 'research' }, { role: 'service-admin', service: 'institutional' }),
      ),
    ).toBeUndefined();
  });

  it('shows a record of a service in the view, or everything when the view shows all', () => {
    expect(shownInView(['institutional'], 'institutional')).toBe(true);
    expect(shownInView(['institutional'], 'research')).toBe(false);
    expect(shownInView(undefined, 'research')).toBe(true);
  });
});

describe('when a view ends', () => {
  const start = new Date('2026-11-27T10:00:00Z');

  it('ends its minutes after it started, and has ended from that moment on', () => {
    const end = viewEndsAt(start, 30);
    expect(end.toISOString()).toBe('2026-11-27T10:30:00.000Z');
    expect(viewHasEnded(end, new Date('2026-11-27T10:29:59.999Z'))).toBe(false);
    expect(viewHasEnded(end, end)).toBe(true);
  });

  it('reads the end from the session; a view with none (or an unreadable one) has ended', () => {
    expect(viewEnd({ endsAt: '2026-11-27T10:30:00.000Z' })?.toISOString()).toBe('2026-11-27T10:30:00.000Z');
    expect(viewEnd({})).toBeUndefined();
    expect(viewEnd({ endsAt: 'soon' })).toBeUndefined();
    expect(viewHasEnded(undefined, start)).toBe(true);
  });

  it('says the time of day in London: GMT in winter, BST in summer', () => {
    expect(timeOfDay(new Date('2026-11-27T14:32:00Z'))).toBe('14:32');
    expect(timeOfDay(new Date('2026-07-01T14:32:00Z'))).toBe('15:32');
  });
});
