import type { CufsClient, FinanceCodeCheck } from './cufs-client.ts';
import type { FinanceCode } from './finance-code.ts';

/** What the gateway needs of CUFS: one answer for a finance code on a day. */
export type FinanceCodeChecker = Pick<CufsClient, 'checkGlCode' | 'checkGrant'>;

export function checkFinanceCode(cufs: FinanceCodeChecker, code: FinanceCode, on: string): Promise<FinanceCodeCheck> {
  if (code.kind === 'grant') return cufs.checkGrant({ award: code.award, project: code.project, task: code.task }, on);
  const parts = [code.costCentre, code.sourceOfFunds, code.transactionCode].filter(Boolean);
  return cufs.checkGlCode(parts.join('.'), on);
}

/** The CUFS answer as the buyer reads it next to the field. */
export function describeRefusal(check: FinanceCodeCheck): string | undefined {
  if (check.outcome === 'invalid') return `This finance code cannot be used: ${check.message}`;
  if (check.outcome === 'malformed') return check.problems.map((problem) => problem.message).join('. ');
  return undefined;
}
