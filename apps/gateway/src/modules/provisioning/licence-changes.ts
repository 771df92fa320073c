import type { LicenceChange } from '../../platform/provisioner/provisioner.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { licenceLockProblem } from '../licences/licence-lock.ts';
import { LICENCE_STATUS_WORDS } from '../licences/licence-status.ts';
import type { LicenceStatus } from '../licences/licences.tables.ts';
import { giveSpaceWords, type OrderKind } from '../orders/order-status.ts';
import { formatDay } from '../quotes/quote-rules.ts';

/**
 * What completing a change order does to its licence (the contract of issue 6 between the orders
 * that change a licence and their completion), as pure rules: which statuses allow which change,
 * the licence after it, what the storage must be told, and the words of the email that says what
 * changed. Completion re-checks here on the licence row it locked, so a licence that moved on
 * since the order was submitted (a renewal of a licence that has meanwhile gone to the cold
 * store) fails with a message for staff and changes nothing.
 */
export type ChangeKind = Exclude<OrderKind, 'new'>;

export interface LicenceNow {
  status: LicenceStatus;
  sizeTb: number;
  endDate: string | null;
  lockedAt: Date | null;
  lockReason: string | null;
}

export interface ChangeOrder {
  reference: string;
  kind: ChangeKind;
  /** increase: the TB added; the others: the licence's size. */
  sizeTb: number;
  /** renewal and recovery: the new end date. */
  endsOn: string | null;
}

export interface LicenceAfter {
  status: LicenceStatus;
  sizeTb: number;
  endDate: string | null;
}

export type ChangeOutcome =
  | { ok: true; after: LicenceAfter; change: LicenceChange; restored: boolean }
  | { ok: false; problem: string };

/**
 * The licence statuses each change applies to. A recovery is ordered in the cold store, but may
 * be completed once the licence is due for deletion: its data stays in the cold store until the
 * team confirms a deletion, which waits for the order (confirmLicenceDeletion).
 */
export const CHANGE_ALLOWED_FROM: Record<ChangeKind, readonly LicenceStatus[]> = {
  increase: ['active'],
  renewal: ['active', 'suspended'],
  recovery: ['cold', 'deletable'],
  cancellation: ['pending', 'active'],
};

const KIND_WORDS: Record<ChangeKind, string> = {
  increase: 'An increase',
  renewal: 'A renewal',
  recovery: 'A recovery',
  cancellation: 'A cancellation',
};

const statusWords = (status: LicenceStatus) => LICENCE_STATUS_WORDS[status].label.toLowerCase();

/**
 * Why a change of this kind no longer applies to a licence in this status ("a renewal applies to a
 * licence that is active or …, and this one is in the cold store now."), or undefined when it does.
 * Completion refuses such an order, and approval refuses it before anyone is told it is approved.
 */
export function changeNoLongerApplies(kind: ChangeKind, status: LicenceStatus): string | undefined {
  const allowed = CHANGE_ALLOWED_FROM[kind];
  if (allowed.includes(status)) return undefined;
  return `${KIND_WORDS[kind].toLowerCase()} applies to a licence that is ${allowed.map(statusWords).join(' or ')}, and this one is ${statusWords(status)} now.`;
}

/** What staff can do instead, for a change that no longer applies: the customer may order a recovery of a licence gone cold. */
export function insteadOfChange(kind: ChangeKind, status: LicenceStatus): string {
  return kind === 'renewal' && status === 'cold' ? '; the customer can order a recovery instead.' : '.';
}

/** Whether the change can be made to the licence as it is now, and if so the licence after it. */
export function decideChange(order: ChangeOrder, licence: LicenceNow): ChangeOutcome {
  const locked = licenceLockProblem(licence, 'staff');
  if (locked) return { ok: false, problem: `Order ${order.reference} cannot be completed: ${locked}` };
  const notApplying = changeNoLongerApplies(order.kind, licence.status);
  if (notApplying) {
    return {
      ok: false,
      problem: `Order ${order.reference} cannot be completed: ${notApplying} Nothing was changed. Cancel this order${insteadOfChange(order.kind, licence.status)}`,
    };
  }
  if ((order.kind === 'renewal' || order.kind === 'recovery') && !order.endsOn) {
    return { ok: false, problem: `Order ${order.reference} has no new end date, so it cannot be completed.` };
  }
  const endsOn = order.endsOn ?? '';
  switch (order.kind) {
    case 'increase': {
      const sizeTb = licence.sizeTb + order.sizeTb;
      return {
        ok: true,
        after: { status: licence.status, sizeTb, endDate: licence.endDate },
        change: { addedTb: order.sizeTb, newSizeTb: sizeTb },
        restored: false,
      };
    }
    case 'renewal': {
      const restored = licence.status === 'suspended';
      return {
        ok: true,
        after: { status: 'active', sizeTb: licence.sizeTb, endDate: endsOn },
        change: restored ? { newEndDate: endsOn, restore: 'read-write' } : { newEndDate: endsOn },
        restored,
      };
    }
    case 'recovery':
      return {
        ok: true,
        after: { status: 'active', sizeTb: licence.sizeTb, endDate: endsOn },
        change: { newEndDate: endsOn, restore: 'from-cold-store' },
        restored: true,
      };
    case 'cancellation':
      return {
        ok: true,
        after: { status: 'cancelled', sizeTb: licence.sizeTb, endDate: licence.endDate },
        change: { removeAccess: true },
        restored: false,
      };
  }
}

/** The licence's audit action for each change. */
export const CHANGE_AUDIT_ACTIONS: Record<ChangeKind, string> = {
  increase: 'size increased',
  renewal: 'renewed',
  recovery: 'recovered from the cold store',
  cancellation: 'cancelled',
};

/** A licence's storage projects (not removed) as an increase's words list them. */
export interface ProjectQuota {
  name: string;
  quotaTb: number;
}

/** "chem-admin 3 TB, chem-finance 1 TB", or that there are none. */
function quotasWords(projects: readonly ProjectQuota[]): string {
  return projects.length === 0
    ? 'it has none yet'
    : projects.map((project) => `${project.name} ${sizeText(project.quotaTb)}`).join(', ');
}

/**
 * What the service team must do on the storage before marking the order as done (manual
 * provisioner). An increase makes the licence bigger, not any of its storage projects: the
 * gateway records their quotas as they were (`projects`) until the Data Owner gives the space to
 * one, which then reaches the storage as an access change like any other quota change.
 */
export function changeInstructions(
  order: ChangeOrder,
  outcome: Extract<ChangeOutcome, { ok: true }>,
  projects: readonly ProjectQuota[] = [],
): string {
  const { after } = outcome;
  switch (order.kind) {
    case 'increase':
      return `The licence grows by ${sizeText(order.sizeTb)} to ${sizeText(after.sizeTb)}. Leave the quotas of its storage projects as they are (${quotasWords(projects)}): the Data Owner gives the new space to a project on its page, and that quota change then comes to you as an access change.`;
    case 'renewal':
      return outcome.restored
        ? `The licence expired and its storage is read-only: make it read-write again. It will run until ${formatDay(after.endDate ?? '')}.`
        : `Nothing needs changing on the storage: the licence will run until ${formatDay(after.endDate ?? '')}.`;
    case 'recovery':
      return `Bring the licence's data back from the cold store, read-write. It will run until ${formatDay(after.endDate ?? '')}.`;
    case 'cancellation':
      return 'Remove everyone’s access to the licence’s storage.';
  }
}

/**
 * The email's headline and what changed, for the Data Owner, the Data Managers and the buyer; for
 * an increase, the words of its link to the licence's storage projects (`give`): the TB added are
 * the licence's, and its projects keep their quotas (`projects`) until someone gives them more.
 */
export function changeEmailWords(
  order: ChangeOrder,
  licenceName: string,
  outcome: Extract<ChangeOutcome, { ok: true }>,
  projects: readonly ProjectQuota[] = [],
): { headline: string; paragraphs: string[]; give?: string } {
  const { after } = outcome;
  const until = after.endDate ? formatDay(after.endDate) : '';
  switch (order.kind) {
    case 'increase':
      return {
        headline: `Your storage is bigger: ${licenceName}`,
        paragraphs: [
          `The licence “${licenceName}” is now ${sizeText(after.sizeTb)}: ${sizeText(order.sizeTb)} added by order ${order.reference}.`,
          `The ${sizeText(order.sizeTb)} is the licence's to give to its storage projects: their quotas stay as they were (${quotasWords(projects)}) until the Data Owner or a Data Manager gives one more on the licence's page.`,
          `The licence still ends on ${until}.`,
        ],
        give: giveSpaceWords(order.sizeTb),
      };
    case 'renewal':
      return {
        headline: `Your storage licence is renewed: ${licenceName}`,
        paragraphs: [
          `“${licenceName}” is renewed by order ${order.reference}: it now ends on ${until}.`,
          ...(outcome.restored
            ? ['It had expired and was read-only; it is active and can be changed again (restored).']
            : []),
          'We will remind the Data Owner and Data Managers before it ends.',
        ],
      };
    case 'recovery':
      return {
        headline: `Your data is back from the cold store: ${licenceName}`,
        paragraphs: [
          `The data of “${licenceName}” is restored from the cold store (order ${order.reference}) and the licence is active again.`,
          `It now ends on ${until}.`,
        ],
      };
    case 'cancellation':
      return {
        headline: `Your storage licence is cancelled: ${licenceName}`,
        paragraphs: [`“${licenceName}” is cancelled (order ${order.reference}): its storage can no longer be used.`],
      };
  }
}
