import { describe, expect, it } from 'vitest';
import {
  describeRoles,
  LICENCE_STATUS_RANK,
  LICENCE_STATUS_WORDS,
  LICENCE_STATUSES,
  licenceStatusWordsFor,
  nextStepWords,
  projectStatusWords,
  STORAGE_PROJECT_STATUS_WORDS,
} from './licence-status.ts';

describe('licence status words', () => {
  it('gives every status the agreed label', () => {
    expect(Object.fromEntries(LICENCE_STATUSES.map((status) => [status, LICENCE_STATUS_WORDS[status].label]))).toEqual({
      pending: 'Waiting to be set up',
      active: 'Active',
      suspended: 'Expired – read-only',
      cold: 'In the cold store',
      deletable: 'Due for deletion',
      deleted: 'Deleted',
      cancelled: 'Cancelled',
    });
  });

  it('explains every status in one sentence, without internal names', () => {
    expect(Object.keys(LICENCE_STATUS_WORDS).sort()).toEqual([...LICENCE_STATUSES].sort());
    for (const status of LICENCE_STATUSES) {
      const { explanation } = LICENCE_STATUS_WORDS[status];
      expect(explanation, status).toMatch(/^[A-Z][^.]*\.$/);
      expect(explanation, status).not.toMatch(/\b(suspended|deletable|pending|cold)\b/);
    }
  });

  it('tells people what to do when the storage is ending or gone', () => {
    expect(LICENCE_STATUS_WORDS.suspended.explanation).toContain('renew');
    expect(LICENCE_STATUS_WORDS.cold.explanation).toContain('recovery');
    expect(LICENCE_STATUS_WORDS.deletable.explanation).toContain('contact the storage team');
  });

  it('ranks licences in use before the ones that need attention, and finished ones last', () => {
    expect(LICENCE_STATUS_RANK.active).toBe(LICENCE_STATUS_RANK.pending);
    expect(LICENCE_STATUS_RANK.pending).toBeLessThan(LICENCE_STATUS_RANK.suspended);
    expect(LICENCE_STATUS_RANK.suspended).toBeLessThan(LICENCE_STATUS_RANK.cold);
    expect(LICENCE_STATUS_RANK.cold).toBeLessThan(LICENCE_STATUS_RANK.deletable);
    expect(LICENCE_STATUS_RANK.deletable).toBeLessThan(LICENCE_STATUS_RANK.deleted);
    expect(LICENCE_STATUS_RANK.cancelled).toBe(LICENCE_STATUS_RANK.deleted);
  });

  it('has words for every storage project status', () => {
    expect(Object.keys(STORAGE_PROJECT_STATUS_WORDS).sort()).toEqual(['active', 'pending', 'removed']);
    expect(STORAGE_PROJECT_STATUS_WORDS.pending.label).toBe('Waiting to be set up');
  });
});

describe('describeRoles', () => {
  it('names roles in a fixed order, whatever order they come in', () => {
    expect(describeRoles(['project-data-user', 'data-owner'])).toBe('Data Owner, Project Data User');
    expect(describeRoles(['data-manager', 'project-data-manager'])).toBe('Data Manager, Project Data Manager');
    expect(describeRoles([])).toBe('');
  });
});

describe('a storage project’s status in the light of its licence’s', () => {
  it('explains the project alone while its licence is in use, or when it is removed', () => {
    for (const licence of ['pending', 'active'] as const) {
      expect(projectStatusWords('active', licence)).toEqual(STORAGE_PROJECT_STATUS_WORDS.active);
    }
    expect(projectStatusWords('pending', 'pending')).toEqual(STORAGE_PROJECT_STATUS_WORDS.pending);
    expect(projectStatusWords('removed', 'cancelled')).toEqual(STORAGE_PROJECT_STATUS_WORDS.removed);
  });

  it('does not tell a project created in a licence in use that it waits for the licence to be set up', () => {
    const words = projectStatusWords('pending', 'active');
    expect(words.label).toBe('Waiting to be set up');
    expect(words.explanation).toBe(
      'The licence is in use: the storage team will create this storage project, and say here where to find it.',
    );
  });

  it('never promises a set-up or use that the licence’s status rules out', () => {
    expect(projectStatusWords('pending', 'cancelled').explanation).toBe(
      'Its licence is cancelled, so this storage project will not be set up.',
    );
    expect(projectStatusWords('active', 'deleted').explanation).toBe(
      'Its licence is deleted, so this storage project can no longer be used.',
    );
    expect(projectStatusWords('active', 'suspended').explanation).toBe(
      'Its licence has expired, so this storage project can be read but not changed until the licence is renewed.',
    );
    expect(projectStatusWords('active', 'cold').explanation).toBe(
      'Its licence is in the cold store, so this storage project can be used again only if the licence is recovered.',
    );
    expect(projectStatusWords('pending', 'cold').explanation).toBe(
      'Its licence is in the cold store, so this storage project will be set up only if the licence is recovered.',
    );
    for (const licence of LICENCE_STATUSES) {
      for (const project of ['pending', 'active'] as const) {
        const { label, explanation } = projectStatusWords(project, licence);
        if (
          licence === 'pending' ||
          licence === 'active' ||
          (project === 'pending' && !/cancelled|deleted/.test(licence))
        )
          expect(label).toBe(STORAGE_PROJECT_STATUS_WORDS[project].label);
        expect(explanation, `${project} in ${licence}`).toMatch(/^[A-Z][^.]*\.$/);
      }
    }
  });

  it('does not call a project of a cancelled or deleted licence active, or waiting to be set up', () => {
    expect(projectStatusWords('active', 'cancelled')).toEqual({
      label: 'Cancelled',
      explanation: 'Its licence is cancelled, so this storage project can no longer be used.',
    });
    expect(projectStatusWords('pending', 'cancelled').label).toBe('Cancelled');
    expect(projectStatusWords('active', 'deleted').label).toBe('Deleted');
    expect(projectStatusWords('removed', 'deleted').label).toBe('Removed');
  });

  it('labels a project in use as its licence stands once the licence is not in use, not "Active"', () => {
    expect(projectStatusWords('active', 'suspended').label).toBe('Read-only');
    expect(projectStatusWords('active', 'cold').label).toBe('In the cold store');
    expect(projectStatusWords('active', 'deletable').label).toBe('Due for deletion');
    // one never set up of an expired licence may still be, once it is renewed
    expect(projectStatusWords('pending', 'suspended').label).toBe('Waiting to be set up');
  });

  it('tells a project member who can renew or recover the licence, not to do it themselves', () => {
    for (const status of LICENCE_STATUSES) {
      for (const roles of [['data-owner'], ['data-manager', 'project-data-user'], []] as const) {
        expect(licenceStatusWordsFor(status, roles), `${status} ${roles}`).toEqual(LICENCE_STATUS_WORDS[status]);
      }
      const member = licenceStatusWordsFor(status, ['project-data-manager']);
      expect(member.label).toBe(LICENCE_STATUS_WORDS[status].label);
      expect(member.explanation, status).toMatch(/^[A-Z][^.]*\.$/);
      expect(member.explanation, status).not.toMatch(/you can renew|until you renew|; order a recovery/);
    }
    expect(licenceStatusWordsFor('cold', ['project-data-user']).explanation).toContain(
      'its Data Owner or a Data Manager can order a recovery',
    );
  });

  it('calls a licence whose new order was rejected "Not approved", with the order and the reason', () => {
    const rejected = { reference: 'ORD-000010', reason: 'The voucher is for another department.' };
    for (const roles of [['data-owner'], ['project-data-user']] as const) {
      expect(licenceStatusWordsFor('cancelled', roles, rejected)).toEqual({
        label: 'Not approved',
        explanation:
          'The storage team did not approve order ORD-000010, so this licence was never set up and nothing is charged for it. Reason: The voucher is for another department.',
      });
    }
    expect(licenceStatusWordsFor('cancelled', [], { reference: 'ORD-000011', reason: null }).explanation).toBe(
      'The storage team did not approve order ORD-000011, so this licence was never set up and nothing is charged for it.',
    );
    expect(licenceStatusWordsFor('cancelled', [], null)).toEqual(LICENCE_STATUS_WORDS.cancelled);
  });
});

describe('nextStepWords', () => {
  const days = { coldFrom: '2027-09-30', deletableFrom: '2028-02-29' };
  it('names the day a read-only licence moves to the cold store, and one in the cold store can be deleted', () => {
    expect(nextStepWords('suspended', days)).toBe(
      'Unless the licence is renewed, its data moves to the cold store on 30 September 2027.',
    );
    expect(nextStepWords('cold', days)).toBe(
      'Unless the licence is recovered, its data can be deleted from 29 February 2028.',
    );
    for (const status of ['pending', 'active', 'deletable', 'deleted', 'cancelled'] as const) {
      expect(nextStepWords(status, days)).toBeUndefined();
    }
  });
});
