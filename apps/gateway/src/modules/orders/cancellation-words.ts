import type { LicenceStatus } from '../licences/licences.tables.ts';

/**
 * What a cancellation costs and does, said the same way everywhere a cancellation is worded: its
 * page and check page (its offer, its cost, its price), the confirmation and approval emails, the
 * staff's Approve note and the order's status while it is being done. A licence not set up yet
 * (pending) has cost nothing and holds no data: its order for new storage is cancelled with it
 * (provisioning.service.ts requireChange), and nobody has access to remove. Pure.
 */
export interface CancellationWords {
  /** Where the licence page offers it. */
  hint: string;
  /** What it costs (its page, the confirmation email). */
  cost: string;
  /** What happens once it is approved (its page, its check page, the confirmation email). */
  consequences: string;
  /** The calculation line of its price (the check page, the order page). */
  calculation: string;
  /** What the storage team does now, in the approval email. */
  approved: string;
  /** What the staff's Approve button tells the buyer and the Data Owner. */
  approving: string;
  /** The order's status explanation once approved, and while the team is doing it. */
  statusApproved: string;
  statusInProgress: string;
}

const NEVER_SET_UP: CancellationWords = {
  hint: 'End the licence before its storage is set up. Nothing is charged.',
  cost: 'Nothing is charged: its storage has not been set up yet, and its order for new storage is cancelled with it.',
  consequences: 'Once the storage team approves it, the licence ends and its storage is not set up.',
  calculation: 'A cancellation costs nothing, and nothing is charged for storage that has not been set up yet.',
  approved:
    'The storage team will now end the licence: its storage will not be set up, and its order for new storage is cancelled with it. We will email you again when that is done.',
  approving:
    'Approving tells the buyer and the Data Owner that the licence will end and its storage will not be set up.',
  statusApproved:
    'The order is approved; the storage team will end the licence next, and its storage will not be set up.',
  statusInProgress: 'The storage team is ending the licence: its storage will not be set up.',
};

const IN_USE: CancellationWords = {
  hint: 'End the licence. Nothing is refunded.',
  cost: 'No refund is made for the rest of the term, and the cancellation costs nothing.',
  consequences:
    'Once the storage team approves it, the licence ends: nobody can use its storage any more and its data is removed, so copy anything you need first.',
  calculation: 'A cancellation costs nothing. Nothing is refunded for the rest of the term.',
  approved:
    'The storage team will now remove everyone’s access to its storage. We will email you again when that is done.',
  approving:
    'Approving tells the buyer and the Data Owner that everyone’s access to the licence’s storage will be removed.',
  statusApproved: 'The order is approved; the storage team will remove everyone’s access to the storage next.',
  statusInProgress: 'The storage team is removing everyone’s access to the storage.',
};

/** The words of a cancellation of a licence in this status: `undefined` when not known (a licence in use is assumed). */
export function cancellationWords(status: LicenceStatus | undefined): CancellationWords {
  return status === 'pending' ? NEVER_SET_UP : IN_USE;
}
