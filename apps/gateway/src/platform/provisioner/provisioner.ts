import * as z from 'zod';

/**
 * The provisioner port (DESIGN.md §4): what sets up the storage of an approved order. `manual`
 * (the default) does nothing by itself: a person of the service team makes the storage and
 * records what they made. `command` and `webhook` hand the request to an automated provisioner
 * and read back what it made. A failure carries whatever the provisioner had already made, so
 * the caller can undo it (a step with compensation, after Medusa).
 *
 * A provisioner must be idempotent per run: the same run (request.run.id) may be sent again if
 * the worker stopped between the provisioner's answer and recording it.
 */
export type ProvisionerKind = 'manual' | 'command' | 'webhook';

export interface ProvisionRequest {
  /** The run this request belongs to: a key the provisioner can use to recognise a repeat. */
  run: { id: number };
  order: { id: number; reference: string; kind: string };
  product: { code: string; name: string; service: string };
  licence: {
    id: number;
    name: string;
    sizeTb: number;
    termYears: number;
    department: { id: string; name: string };
    /** CRSids. */
    owner: string;
    managers: string[];
  };
  projects: Array<{
    id: number;
    name: string;
    quotaTb: number;
    members: Array<{ crsid: string; role: 'project-data-manager' | 'project-data-user' }>;
  }>;
  /**
   * What a change order (any kind but `new`) does to the licence's storage; left out for new
   * storage. `licence.sizeTb` is then the size before the change, and `projects` is empty: the
   * answer is `{"quotaTb": <the licence's quota after the change>, "projects": []}`.
   */
  change?: LicenceChange;
}

/** A change order's effect on the storage, by kind: only the fields of that kind are present. */
export interface LicenceChange {
  /** increase: the TB added, and the licence's size after it. */
  addedTb?: number;
  newSizeTb?: number;
  /** renewal and recovery: the licence's new end date (YYYY-MM-DD). */
  newEndDate?: string;
  /**
   * renewal of a suspended licence: make it read-write again; recovery: bring the data back from
   * the cold store (before the licence is active again).
   */
  restore?: 'read-write' | 'from-cold-store';
  /** cancellation: nobody may use the storage any more. */
  removeAccess?: true;
}

/** A lifecycle step a licence's storage must take (the nightly job): read-only at expiry, then to the cold store. */
export type LicenceStorageState = 'read-only' | 'cold-store';

/**
 * Licences whose storage must take a lifecycle step, a batch at a time (at most a few hundred).
 * Idempotent: a licence already in that state is left as it is.
 */
export interface LicenceStateRequest {
  state: LicenceStorageState;
  /** The day (YYYY-MM-DD) the nightly job took the step. */
  asOf: string;
  licences: Array<{ id: number; name: string; product: string; endDate: string }>;
}

/**
 * A licence's people and storage projects as they are now, for the storage system's group
 * membership (and project quotas). Sent after every change of members or projects; idempotent:
 * the provisioner makes the groups match it, whatever it was told before.
 */
export interface GroupSyncRequest {
  licence: { id: number; name: string; sizeTb: number; owner: string; managers: string[] };
  /**
   * `pending` projects were created in the active licence since it was set up: the provisioner
   * makes them. A project keeps its id when renamed: its `name` is then the new one.
   */
  projects: Array<ProvisionRequest['projects'][number] & { status: 'pending' | 'active' }>;
  /**
   * The licence's storage projects that were removed (every one, each time, as the rest is the
   * state now): nobody may use their folders any more, so the provisioner removes their groups'
   * access. `path` is where it was made; null if it never was (removed before it was made).
   */
  removedProjects: Array<{ id: number; name: string; path: string | null }>;
}

/** A directory group's name as storage systems accept it. */
export const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** What a provisioner made, as it answers (and as a provisioning run keeps it). */
export const provisionedDetailsSchema = z.object({
  /** The quota set on the storage in all, TB. */
  quotaTb: z.number().int().positive(),
  projects: z
    .array(
      z.object({
        id: z.number().int().positive(),
        path: z.string().trim().min(1).max(500),
        shareName: z.string().trim().min(1).max(200).nullable().default(null),
        groups: z.array(z.string().regex(GROUP_NAME, 'not a group name')).max(100).default([]),
        /** This project's own quota, TB, where the provisioner set one per project. */
        quotaTb: z.number().int().positive().optional(),
      }),
    )
    .max(1000),
});

export type ProvisionedDetails = z.infer<typeof provisionedDetailsSchema>;

/** The answer to sync-groups: the pending projects it made, as in provisioned details; nothing (or none) is allowed. */
export const projectsMadeSchema = provisionedDetailsSchema.pick({ projects: true });

export type ProjectMade = ProvisionedDetails['projects'][number];

/** A provisioner's refusal or failure: its message (for staff only) and what it had made before failing. */
export class ProvisioningError extends Error {
  constructor(
    message: string,
    /** Made before the failure, to be undone; null when nothing (or nothing known) was made. */
    readonly partial: ProvisionedDetails | null = null,
  ) {
    super(message);
    this.name = 'ProvisioningError';
  }
}

export interface Provisioner {
  readonly kind: ProvisionerKind;
  /** False for manual: nothing runs; the order waits for a person. */
  readonly automatic: boolean;
  /** Makes the storage; rejects with a ProvisioningError that says what was already made. */
  provision(request: ProvisionRequest): Promise<ProvisionedDetails>;
  /** Removes what a failed run made. Rejects with a ProvisioningError if it could not. */
  undo(request: ProvisionRequest, details: ProvisionedDetails): Promise<void>;
  /**
   * Makes the storage system's groups (and quotas) match the licence as it is now, making its
   * pending projects; answers what it made of them. Manual does nothing and answers none.
   */
  syncGroups(request: GroupSyncRequest): Promise<ProjectMade[]>;
  /** Takes a lifecycle step on the storage of each licence; manual does nothing (the service team is emailed). */
  applyLicenceState(request: LicenceStateRequest): Promise<void>;
}

/** The message an automated provisioner receives: on stdin (command) or as the POST body (webhook). */
export type ProvisionerMessage =
  | { action: 'provision'; request: ProvisionRequest }
  | { action: 'undo'; request: ProvisionRequest; details: ProvisionedDetails }
  | { action: 'sync-groups'; request: GroupSyncRequest }
  | { action: 'licence-state'; request: LicenceStateRequest };

/** Nothing automatic: a person records what they made on the staff order page. */
export const manualProvisioner: Provisioner = {
  kind: 'manual',
  automatic: false,
  provision: () =>
    Promise.reject(new ProvisioningError('Provisioning is manual: the service team records what they made.')),
  undo: () => Promise.resolve(),
  syncGroups: () => Promise.resolve([]),
  applyLicenceState: () => Promise.resolve(),
};

/** Parses a provisioner's answer; a ProvisioningError (with nothing to undo) when it is not details. */
export function parseProvisionedDetails(value: unknown, from: string): ProvisionedDetails {
  const parsed = provisionedDetailsSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ProvisioningError(
    `The ${from} answered with details that are not valid (${issue?.path.join('.') || 'answer'}: ${issue?.message}).`,
  );
}

/** The projects a sync-groups answer says were made; none for an empty answer (a provisioner that makes none). */
export function parseProjectsMade(value: unknown, from: string): ProjectMade[] {
  if (value === undefined || value === null) return [];
  const parsed = projectsMadeSchema.safeParse(value);
  if (parsed.success) return parsed.data.projects;
  const issue = parsed.error.issues[0];
  throw new ProvisioningError(
    `The ${from} answered sync-groups with projects that are not valid (${issue?.path.join('.') || 'answer'}: ${issue?.message}).`,
  );
}

/** What a failed provisioner reported as made, if its answer holds valid details; otherwise null. */
export function partialDetailsFrom(value: unknown): ProvisionedDetails | null {
  const candidate =
    value && typeof value === 'object' && 'partial' in value ? (value as { partial: unknown }).partial : value;
  const parsed = provisionedDetailsSchema.safeParse(candidate);
  return parsed.success ? parsed.data : null;
}

/** Error text kept for staff: one paragraph of bounded length. */
export function boundedMessage(text: string, limit = 2000): string {
  const trimmed = text.trim();
  return trimmed.length > limit ? `${trimmed.slice(0, limit)}…` : trimmed;
}
