import { describe, expect, it } from 'vitest';
import {
  belowUsageProblem,
  type ChangerFacts,
  decideChange,
  licenceStatusProblem,
  parseQuotaTb,
  projectNameProblem,
  quotaProblem,
} from './licence-members.ts';

const nobody: ChangerFacts = {
  isOwner: false,
  isManager: false,
  managesService: false,
  readsService: false,
  projectRoles: [],
  memberOfAnyProject: false,
};

describe('who may change a licence', () => {
  it('tells someone who cannot see the licence that it is not there', () => {
    expect(decideChange('add-manager', nobody)).toBe('not-found');
    expect(decideChange('change-project-members', nobody)).toBe('not-found');
  });

  it('lets the owner and the service managers do everything', () => {
    for (const change of [
      'hand-over',
      'add-manager',
      'remove-manager',
      'create-project',
      'resize-project',
      'rename-project',
      'remove-project',
    ] as const) {
      expect(decideChange(change, { ...nobody, isOwner: true })).toBe('allowed');
      expect(decideChange(change, { ...nobody, readsService: true, managesService: true })).toBe('allowed');
    }
  });

  it('lets Finance (who read) see but not change', () => {
    expect(decideChange('add-manager', { ...nobody, readsService: true })).toBe('forbidden');
  });

  it('lets Data Managers do everything but hand ownership over', () => {
    const manager = { ...nobody, isManager: true };
    expect(decideChange('hand-over', manager)).toBe('forbidden');
    expect(decideChange('remove-manager', manager)).toBe('allowed');
    expect(decideChange('create-project', manager)).toBe('allowed');
    expect(decideChange('rename-project', manager)).toBe('allowed');
    expect(decideChange('remove-project', manager)).toBe('allowed');
    expect(decideChange('change-project-members', manager)).toBe('allowed');
  });

  it("lets a Project Data Manager change their own project's members only; a user nothing", () => {
    const projectManager = { ...nobody, memberOfAnyProject: true, projectRoles: ['project-data-manager'] as const };
    expect(decideChange('change-project-members', projectManager)).toBe('allowed');
    expect(decideChange('resize-project', projectManager)).toBe('forbidden');
    expect(decideChange('rename-project', projectManager)).toBe('forbidden');
    expect(decideChange('remove-project', projectManager)).toBe('forbidden');
    expect(decideChange('add-manager', projectManager)).toBe('forbidden');
    const elsewhere = { ...nobody, memberOfAnyProject: true, projectRoles: [] };
    expect(decideChange('change-project-members', elsewhere)).toBe('forbidden');
    const user = { ...nobody, memberOfAnyProject: true, projectRoles: ['project-data-user'] as const };
    expect(decideChange('change-project-members', user)).toBe('forbidden');
  });
});

describe('the rules of a change', () => {
  it('changes only active and pending licences', () => {
    expect(licenceStatusProblem('active')).toBeUndefined();
    expect(licenceStatusProblem('pending')).toBeUndefined();
    // In the words of the status the page shows ('Expired – read-only', 'In the cold store') and
    // of what it offers: a renewal of an expired licence, only a recovery of one in the cold store.
    expect(licenceStatusProblem('suspended')).toBe(
      'This licence has expired and is read-only, so its people and storage projects cannot be changed. Renew it first.',
    );
    expect(licenceStatusProblem('cold')).toBe(
      'This licence is in the cold store, so its people and storage projects cannot be changed. Order a recovery first.',
    );
    // Due for deletion, it takes no new order: its data is the team's to keep, if asked in time.
    expect(licenceStatusProblem('deletable')).toBe(
      'This licence is due for deletion, so its people and storage projects cannot be changed. Contact the storage team straight away if its data is still needed, as no recovery can be ordered for it any more.',
    );
    expect(licenceStatusProblem('cancelled')).toContain('ended');
  });

  it('names projects as the purchase form does, unique ignoring case', () => {
    expect(projectNameProblem('lattice-2', ['other'])).toBeUndefined();
    expect(projectNameProblem('', [])).toBe('Enter a name for the storage project');
    expect(projectNameProblem('-bad', [])).toContain('starting with a letter or number');
    expect(projectNameProblem('a'.repeat(41), [])).toContain('up to 40');
    expect(projectNameProblem('Lattice', ['lattice'])).toContain('already has');
  });

  it('reads quotas as whole TB of at least 1', () => {
    expect(parseQuotaTb('3')).toEqual({ quotaTb: 3 });
    expect(parseQuotaTb(2)).toEqual({ quotaTb: 2 });
    expect(parseQuotaTb('')).toEqual({ problem: 'Enter the quota in TB' });
    expect(parseQuotaTb('1.5')).toHaveProperty('problem');
    expect(parseQuotaTb('0')).toEqual({ problem: 'The quota must be at least 1 TB' });
    // A whole number too big for any licence is not told to be a whole number: the licence's room says how much.
    for (const big of ['1000000', 1_000_000, '9'.repeat(400)]) {
      const parsed = parseQuotaTb(big);
      expect(parsed).not.toHaveProperty('problem');
      expect(quotaProblem(10_000, [], (parsed as { quotaTb: number }).quotaTb)).toBe(
        'The licence has 10,000 TB not given to its other storage projects: choose at most 10,000 TB',
      );
    }
  });

  it("keeps the projects' quotas within the licence's size", () => {
    expect(quotaProblem(5, [3], 2)).toBeUndefined();
    expect(quotaProblem(5, [], 5)).toBeUndefined();
    expect(quotaProblem(5, [3], 3)).toBe(
      'The licence has 2 TB not given to its other storage projects: choose at most 2 TB',
    );
    expect(quotaProblem(5, [3, 2], 1)).toContain('are all given');
    expect(quotaProblem(5, [], 0)).toContain('at least 1');
  });
});

describe('a smaller quota than the data a project holds', () => {
  const reading = { usedBytes: 2_400_000_000_000, readOn: '2026-12-06' };
  it('is refused, saying how much it held, when, and the least quota that holds it', () => {
    expect(belowUsageProblem(2, 3, reading, 5)).toBe(
      "The project held 2.4 TB on 6 December 2026 (the storage's latest reading), more than 2 TB: choose at least 3 TB, or remove data from it first",
    );
  });
  it('offers no quota the project cannot be given: one over the most it may have can only lose data', () => {
    // 3.2 TB in a 3 TB project of a licence whose other projects have the rest
    const over = { usedBytes: 3_200_000_000_000, readOn: '2026-12-06' };
    expect(belowUsageProblem(2, 3, over, 3)).toBe(
      "The project held 3.2 TB on 6 December 2026 (the storage's latest reading), more than 2 TB: remove data from it first (it can be given at most 3 TB)",
    );
  });
  it('lets a quota that holds the data, a larger one, or one with no reading through', () => {
    expect(belowUsageProblem(3, 5, reading, 5)).toBeUndefined();
    expect(belowUsageProblem(3, 3, { ...reading, usedBytes: 3_500_000_000_000 }, 3)).toBeUndefined();
    // a project over its quota may grow, even if not yet enough
    expect(belowUsageProblem(2, 1, reading, 5)).toBeUndefined();
    expect(belowUsageProblem(1, 3, undefined, 5)).toBeUndefined();
  });
});
