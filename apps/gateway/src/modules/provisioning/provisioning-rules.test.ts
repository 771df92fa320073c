import { describe, expect, it } from 'vitest';
import {
  detailsProblem,
  emailedWords,
  groupsChangedSinceSent,
  madeProjectLine,
  parseProvisioningForm,
  projectField,
  provisioningActions,
  splitGroupNames,
} from './provisioning-rules.ts';

const PROJECT = { id: 4, name: 'imaging-2026', quotaTb: 5 };
const field = (name: 'path' | 'shareName' | 'groups' | 'quotaTb', id = 4) => projectField(id, name);

describe('the "mark as provisioned" form', () => {
  it("reads each project's path, share, groups and quota; a blank quota is the project's own", () => {
    const result = parseProvisioningForm(
      {
        [field('path')]: '  /rds/project/imaging-2026 ',
        [field('shareName')]: 'imaging$',
        [field('groups')]: 'rds-imaging-managers, rds-imaging-users,,rds-imaging-users',
        [field('quotaTb')]: '',
      },
      [PROJECT],
      5,
    );
    expect(result).toEqual({
      ok: true,
      details: {
        quotaTb: 5,
        projects: [
          {
            id: 4,
            path: '/rds/project/imaging-2026',
            shareName: 'imaging$',
            groups: ['rds-imaging-managers', 'rds-imaging-users'],
            quotaTb: 5,
          },
        ],
      },
    });
  });

  it('takes a share path, no share name and no groups', () => {
    const result = parseProvisioningForm(
      { [field('path')]: '\\\\ifs.example\\chem', [field('quotaTb')]: '3' },
      [PROJECT],
      5,
    );
    expect(result).toEqual({
      ok: true,
      details: {
        quotaTb: 3,
        projects: [{ id: 4, path: '\\\\ifs.example\\chem', shareName: null, groups: [], quotaTb: 3 }],
      },
    });
  });

  it.each([
    [{}, 'path', 'Enter the path of storage project imaging-2026'],
    [
      { path: 'rds/project' },
      'path',
      'Enter the path of imaging-2026 in full, starting with / (such as /rds/project/imaging-2026) or \\\\ for a share',
    ],
    [{ path: `/${'x'.repeat(500)}` }, 'path', 'The path of imaging-2026 must be one line of at most 500 characters'],
    [{ path: '/rds/a\nb' }, 'path', 'The path of imaging-2026 must be one line of at most 500 characters'],
    [
      { path: '/x', shareName: 'has space' },
      'shareName',
      'The share name of imaging-2026 can have letters, digits, dots, hyphens, underscores and $, up to 80 characters',
    ],
    [
      { path: '/x', groups: 'good, bad group' },
      'groups',
      '“bad group” is not a group name: use letters, digits, dots, hyphens and underscores, separated by commas',
    ],
    [
      { path: '/x', quotaTb: '0' },
      'quotaTb',
      "Enter the quota of imaging-2026 as a whole number of TB from 1 to 5 (the licence's size)",
    ],
    [
      { path: '/x', quotaTb: '6' },
      'quotaTb',
      "Enter the quota of imaging-2026 as a whole number of TB from 1 to 5 (the licence's size)",
    ],
    [
      { path: '/x', quotaTb: '2.5' },
      'quotaTb',
      "Enter the quota of imaging-2026 as a whole number of TB from 1 to 5 (the licence's size)",
    ],
    [
      { path: '/x', quotaTb: '-1' },
      'quotaTb',
      "Enter the quota of imaging-2026 as a whole number of TB from 1 to 5 (the licence's size)",
    ],
  ] as const)('refuses %o with a message on %s', (answers, name, message) => {
    const values = Object.fromEntries(
      Object.entries(answers).map(([key, value]) => [projectField(4, key as 'path'), value]),
    );
    const result = parseProvisioningForm(values, [PROJECT], 5);
    expect(result).toEqual({ ok: false, errors: { [field(name)]: message } });
  });

  it('keeps the quotas of several projects within the licence', () => {
    const projects = [PROJECT, { id: 5, name: 'scratch', quotaTb: 2 }];
    const values = {
      [field('path')]: '/a',
      [field('quotaTb')]: '4',
      [field('path', 5)]: '/b',
      [field('quotaTb', 5)]: '2',
    };
    expect(parseProvisioningForm(values, projects, 5)).toEqual({
      ok: false,
      errors: { [field('quotaTb', 5)]: "The quotas add up to 6 TB, more than the licence's 5 TB" },
    });
    const fits = parseProvisioningForm({ ...values, [field('quotaTb')]: '3' }, projects, 5);
    expect(fits.ok && fits.details.quotaTb).toBe(5);
  });

  it("counts the quotas of the licence's projects already made, which are not on the form", () => {
    const values = { [field('path')]: '/a', [field('quotaTb')]: '3' };
    expect(parseProvisioningForm(values, [PROJECT], 10, 8)).toEqual({
      ok: false,
      errors: {
        [field('quotaTb')]:
          "The quotas add up to 11 TB with the 8 TB of the licence's other storage projects, more than the licence's 10 TB: 2 TB is left for storage project imaging-2026",
      },
    });
    const fits = parseProvisioningForm({ ...values, [field('quotaTb')]: '2' }, [PROJECT], 10, 8);
    expect(fits.ok && fits.details.quotaTb).toBe(2);
  });

  it('gives the total with the other projects, and what is left, as the tester met it (3 TB made, 5 TB asked, 5 TB licence)', () => {
    const second = { id: 7, name: 'second', quotaTb: 2 };
    const values = { [field('path', 7)]: '/rds/project/second', [field('quotaTb', 7)]: '5' };
    expect(parseProvisioningForm(values, [second], 5, 3)).toEqual({
      ok: false,
      errors: {
        [field('quotaTb', 7)]:
          "The quotas add up to 8 TB with the 3 TB of the licence's other storage projects, more than the licence's 5 TB: 2 TB is left for storage project second",
      },
    });
  });

  it('says what is left for several projects on the form, and when nothing is', () => {
    const projects = [PROJECT, { id: 5, name: 'scratch', quotaTb: 1 }];
    const values = {
      [field('path')]: '/a',
      [field('quotaTb')]: '2',
      [field('path', 5)]: '/b',
      [field('quotaTb', 5)]: '1',
    };
    expect(parseProvisioningForm(values, projects, 10, 8)).toEqual({
      ok: false,
      errors: {
        [field('quotaTb', 5)]:
          "The quotas add up to 11 TB with the 8 TB of the licence's other storage projects, more than the licence's 10 TB: 2 TB is left for these projects",
      },
    });
    const full = parseProvisioningForm({ [field('path')]: '/a', [field('quotaTb')]: '1' }, [PROJECT], 10, 10);
    expect(full).toEqual({
      ok: false,
      errors: {
        [field('quotaTb')]:
          "The quotas add up to 11 TB with the 10 TB of the licence's other storage projects, more than the licence's 10 TB: nothing is left for storage project imaging-2026",
      },
    });
  });

  it('splits group names at commas and new lines, each once', () => {
    expect(splitGroupNames(' a ,b\nc, a ,, ')).toEqual(['a', 'b', 'c']);
    expect(splitGroupNames('')).toEqual([]);
  });
});

describe("an automated provisioner's answer", () => {
  const made = (...ids: number[]) => ({
    quotaTb: 5,
    projects: ids.map((id) => ({ id, path: `/p/${id}`, shareName: null, groups: [] })),
  });

  it('must name each project it was asked to make, once, and nothing else', () => {
    expect(detailsProblem(made(1, 2), [1, 2])).toBeNull();
    expect(detailsProblem(made(1), [1, 2])).toBe('it reported nothing for storage project 2');
    expect(detailsProblem(made(1, 3), [1])).toBe('it reported storage project 3, which it was not asked to make');
    expect(detailsProblem(made(1, 1), [1])).toBe('it reported storage project 1 twice');
  });
});

describe('what the service team can do', () => {
  const manual = { automatic: false };
  const automated = { automatic: true };

  it('records an approved order by hand, or starts the automated provisioner', () => {
    expect(provisioningActions({ status: 'approved', kind: 'new' }, manual)).toEqual({
      record: true,
      start: false,
      retry: false,
    });
    expect(provisioningActions({ status: 'approved', kind: 'new' }, automated)).toEqual({
      record: false,
      start: true,
      retry: false,
    });
  });

  it('retries a failure, or records by hand what was made instead', () => {
    expect(provisioningActions({ status: 'provisioning-failed', kind: 'new' }, automated)).toEqual({
      record: true,
      start: false,
      retry: true,
    });
    expect(provisioningActions({ status: 'provisioning-failed', kind: 'new' }, manual)).toEqual({
      record: true,
      start: false,
      retry: false,
    });
  });

  it.each([
    'submitted',
    'awaiting-payment-check',
    'awaiting-approval',
    'provisioning',
    'completed',
    'rejected',
    'cancelled',
  ])('does nothing to an order that is %s', (status) => {
    for (const provisioner of [manual, automated]) {
      expect(provisioningActions({ status, kind: 'new' }, provisioner)).toEqual({
        record: false,
        start: false,
        retry: false,
      });
    }
  });

  it.each(['increase', 'renewal', 'recovery', 'cancellation'])(
    'completes an approved %s order the same way',
    (kind) => {
      expect(provisioningActions({ status: 'approved', kind }, manual)).toEqual({
        record: true,
        start: false,
        retry: false,
      });
      expect(provisioningActions({ status: 'approved', kind }, automated)).toEqual({
        record: false,
        start: true,
        retry: false,
      });
      expect(provisioningActions({ status: 'provisioning-failed', kind }, automated)).toEqual({
        record: true,
        start: false,
        retry: true,
      });
    },
  );
});

describe('whether a licence changed while its storage was being set up', () => {
  const sent = {
    run: { id: 1 },
    order: { id: 2, reference: 'ORD-2', kind: 'new' },
    product: { code: 'RDS', name: 'Research Data Store', service: 'research' },
    licence: {
      id: 3,
      name: 'Lab',
      sizeTb: 5,
      termYears: 1,
      department: { id: 'PHYS', name: 'Physics' },
      owner: 'ar101',
      managers: ['bm202', 'nc888'],
    },
    projects: [
      {
        id: 4,
        name: 'lattice',
        quotaTb: 3,
        members: [
          { crsid: 'da303', role: 'project-data-user' as const },
          { crsid: 'cb404', role: 'project-data-manager' as const },
        ],
      },
    ],
  };
  const now = {
    licence: { id: 3, name: 'Lab', sizeTb: 5, owner: 'ar101', managers: ['nc888', 'bm202'] },
    projects: [
      {
        id: 4,
        name: 'lattice',
        quotaTb: 3,
        status: 'active' as const,
        members: [
          { crsid: 'cb404', role: 'project-data-manager' as const },
          { crsid: 'da303', role: 'project-data-user' as const },
        ],
      },
    ],
    removedProjects: [],
  };

  it('is unchanged when the same people and projects come in another order', () => {
    expect(groupsChangedSinceSent(sent, now)).toBe(false);
  });

  it('sees a new owner, a manager added or removed, a project created, renamed, resized or removed, a member changed', () => {
    const lattice = now.projects[0] as (typeof now.projects)[number];
    expect(groupsChangedSinceSent(sent, { ...now, licence: { ...now.licence, owner: 'bm202' } })).toBe(true);
    expect(groupsChangedSinceSent(sent, { ...now, licence: { ...now.licence, managers: ['bm202'] } })).toBe(true);
    expect(
      groupsChangedSinceSent(sent, {
        ...now,
        projects: [...now.projects, { ...lattice, id: 5, name: 'spectra', status: 'pending', members: [] }],
      }),
    ).toBe(true);
    expect(groupsChangedSinceSent(sent, { ...now, projects: [{ ...lattice, quotaTb: 2 }] })).toBe(true);
    expect(groupsChangedSinceSent(sent, { ...now, projects: [{ ...lattice, name: 'lattice-2026' }] })).toBe(true);
    expect(
      groupsChangedSinceSent(sent, { ...now, projects: [], removedProjects: [{ id: 4, name: 'lattice', path: null }] }),
    ).toBe(true);
    expect(
      groupsChangedSinceSent(sent, {
        ...now,
        projects: [
          { ...lattice, members: [{ crsid: 'cb404', role: 'project-data-user' }, ...lattice.members.slice(1)] },
        ],
      }),
    ).toBe(true);
  });
});

describe('emailedWords (what the staff read after provisioning emailed the licence’s people)', () => {
  it('counts who was told and says who has left was not', () => {
    expect(emailedWords(3, 0)).toBe('its 3 people (Data Owner, Data Managers, buyer) have been emailed');
    // One person is all of them: the Data Owner, who bought it and has no Data Managers.
    expect(emailedWords(1, 0)).toBe('its only person, the Data Owner, has been emailed');
    expect(emailedWords(2, 1)).toBe(
      '2 of its people (Data Owner, Data Managers, buyer) have been emailed; 1 person who has left the University was not',
    );
    expect(emailedWords(1, 2)).toBe(
      '1 of its people (Data Owner, Data Managers, buyer) has been emailed; 2 people who have left the University were not',
    );
    expect(emailedWords(0, 1)).toBe('nobody has been emailed: its only person has left the University');
    expect(emailedWords(0, 3)).toBe('nobody has been emailed: all 3 of its people have left the University');
  });
});

describe('where a made storage project is, in its ready email', () => {
  it('gives its path, then its share, groups and quota when it has them', () => {
    expect(
      madeProjectLine('chem-finance', {
        id: 5,
        path: '\\\\ifs.cam.ac.uk\\chem-finance',
        shareName: null,
        groups: [],
        quotaTb: 1,
      }),
    ).toBe('Storage project chem-finance: \\\\ifs.cam.ac.uk\\chem-finance; quota 1 TB.');
    expect(
      madeProjectLine('imaging', {
        id: 6,
        path: '/rds/project/imaging',
        shareName: 'imaging$',
        groups: ['imaging-users', 'imaging-admins'],
        quotaTb: undefined,
      }),
    ).toBe('Storage project imaging: /rds/project/imaging; shared as imaging$; groups imaging-users, imaging-admins.');
  });
});
