import { describe, expect, it } from 'vitest';
import {
  type AwardRow,
  type CostCentreRow,
  judgeCostCentre,
  judgeGlCode,
  judgeGrant,
  type ProjectRow,
  type SourceOfFundsRow,
  type TaskRow,
} from './judgements.ts';

const costCentre: CostCentreRow = {
  code: 'PHAA',
  name: 'Physics: general',
  department_name: 'Department of Physics',
  status: 'open',
  valid_from: '2020-08-01',
  valid_to: '2030-07-31',
};
const source: SourceOfFundsRow = {
  code: 'GAAA',
  name: 'External trading',
  status: 'enabled',
  valid_from: '2022-01-01',
  valid_to: null,
};
const gl = { costCentre: 'PHAA', sourceOfFunds: 'GAAA', transactionCode: null };

const award: AwardRow = { award_number: 'RG1000', title: 'A', sponsor: 'S', status: 'active' };
const project: ProjectRow = {
  project_number: 'PRJ1',
  award_number: 'RG1000',
  title: 'P',
  status: 'active',
  start_date: '2024-02-29',
  end_date: '2028-02-29',
};
const task: TaskRow = { project_number: 'PRJ1', task_number: '1', name: 'Staff', status: 'open' };
const grant = { award: 'RG1000', project: 'PRJ1', task: '1' };

describe('judging a GL code', () => {
  it('is valid inside the intersection of both windows, with that window', () => {
    expect(judgeGlCode(gl, costCentre, source, '2026-11-27')).toMatchObject({
      result: 'valid',
      validFrom: '2022-01-01',
      validTo: '2030-07-31',
    });
  });

  it('checks existence and status before dates', () => {
    expect(judgeGlCode(gl, undefined, source, '2026-01-01')).toMatchObject({ reason: 'cost-centre-unknown' });
    expect(judgeGlCode(gl, { ...costCentre, status: 'closed' }, undefined, '2026-01-01')).toMatchObject({
      reason: 'cost-centre-closed',
    });
    expect(judgeGlCode(gl, costCentre, undefined, '2026-01-01')).toMatchObject({ reason: 'source-of-funds-unknown' });
    expect(judgeGlCode(gl, costCentre, { ...source, status: 'disabled' }, '2026-01-01')).toMatchObject({
      reason: 'source-of-funds-disabled',
    });
  });

  it('includes the first and last days of the window and nothing outside', () => {
    expect(judgeGlCode(gl, costCentre, source, '2022-01-01').result).toBe('valid');
    expect(judgeGlCode(gl, costCentre, source, '2021-12-31')).toMatchObject({ reason: 'not-yet-valid' });
    expect(judgeGlCode(gl, costCentre, source, '2030-07-31').result).toBe('valid');
    expect(judgeGlCode(gl, costCentre, source, '2030-08-01')).toMatchObject({ reason: 'no-longer-valid' });
  });

  // A cost centre ending before its source of funds starts used to be answered 'cannot be charged
  // before <the start>', sending the buyer to wait for a day on which it is still refused.
  it('says a code whose two windows do not overlap can never be charged, whatever the day', () => {
    const ending = { ...costCentre, valid_to: '2027-07-31' };
    const starting = { ...source, valid_from: '2027-09-01' };
    const never =
      'Cost centre PHAA can be charged from 1 August 2020 to 31 July 2027 and source of funds GAAA from 1 September 2027: this GL code can never be charged.';
    for (const on of ['2026-11-27', '2027-08-15', '2027-09-01', '2030-01-01'])
      expect(judgeGlCode(gl, ending, starting, on), on).toMatchObject({ result: 'invalid', message: never });
    expect(judgeGlCode(gl, ending, starting, '2027-09-01')).toMatchObject({ reason: 'no-longer-valid' });
  });
});

// The gateway shows these messages to the buyer as they are, among dates it writes out in full.
it('writes the dates in its messages as people read them, not as ISO dates', () => {
  expect(judgeGlCode(gl, costCentre, source, '2021-12-31')).toMatchObject({
    message: 'This GL code cannot be charged before 1 January 2022.',
  });
  expect(judgeGlCode(gl, costCentre, source, '2030-08-01')).toMatchObject({
    message: 'This GL code could be charged only until 31 July 2030.',
  });
  const ended = { ...costCentre, valid_to: '2024-12-31' };
  expect(judgeCostCentre({ ...costCentre, valid_from: '2027-08-01' }, '2026-11-27')).toMatchObject({
    message: 'Cost centre PHAA cannot be charged before 1 August 2027.',
  });
  expect(judgeCostCentre(ended, '2026-11-27')).toMatchObject({
    message: 'Cost centre PHAA could be charged only until 31 December 2024.',
  });
  expect(judgeGrant(grant, award, project, task, '2024-02-28')).toMatchObject({
    message: 'Project PRJ1 starts on 29 February 2024.',
  });
  expect(judgeGrant(grant, award, project, task, '2028-03-01')).toMatchObject({
    message: 'Project PRJ1 ended on 29 February 2028.',
  });
});

describe('judging a grant', () => {
  it('is valid between the project dates, leap days included', () => {
    expect(judgeGrant(grant, award, project, task, '2024-02-29')).toMatchObject({
      result: 'valid',
      validFrom: '2024-02-29',
      validTo: '2028-02-29',
    });
    expect(judgeGrant(grant, award, project, task, '2024-02-28')).toMatchObject({ reason: 'project-not-started' });
    expect(judgeGrant(grant, award, project, task, '2028-03-01')).toMatchObject({ reason: 'project-ended' });
  });

  it('gives the first reason that applies, from the award down to the task', () => {
    const on = '2026-01-01';
    expect(judgeGrant(grant, undefined, project, task, on)).toMatchObject({ reason: 'award-unknown' });
    expect(judgeGrant(grant, { ...award, status: 'closed' }, project, task, on)).toMatchObject({
      reason: 'award-closed',
    });
    expect(judgeGrant(grant, award, undefined, undefined, on)).toMatchObject({ reason: 'project-unknown' });
    expect(judgeGrant(grant, award, { ...project, award_number: 'G2' }, task, on)).toMatchObject({
      reason: 'project-not-on-award',
    });
    expect(judgeGrant(grant, award, { ...project, status: 'closed' }, task, on)).toMatchObject({
      reason: 'project-closed',
    });
    expect(judgeGrant(grant, award, project, undefined, on)).toMatchObject({ reason: 'task-unknown' });
    expect(judgeGrant(grant, award, project, { ...task, status: 'closed' }, on)).toMatchObject({
      reason: 'task-closed',
    });
  });
});
