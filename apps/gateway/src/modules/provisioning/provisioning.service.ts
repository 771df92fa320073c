import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import type { JobQueue } from '../../platform/jobs/jobs.ts';
import { renderEmail } from '../../platform/mail/email-template.tsx';
import { queueEmail } from '../../platform/mail/mail.jobs.ts';
import type { NoticeLink } from '../../platform/mail/notice-email.tsx';
import {
  type ProvisionedDetails,
  type Provisioner,
  type ProvisionerKind,
  ProvisioningError,
  type ProvisionRequest,
} from '../../platform/provisioner/provisioner.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { AppError } from '../../platform/web/errors.ts';
import { type Actor, personActor, recordAudit, systemActor } from '../audit/audit.repository.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { licenceEndDate } from '../licences/licence-dates.ts';
import { groupSyncRequestFor, syncLicenceGroupsJob } from '../licences/licence-groups.jobs.ts';
import { licenceLockProblem } from '../licences/licence-lock.ts';
import { ORDER_STATUS_WORDS } from '../orders/order-status.ts';
import { orderEmail } from '../orders/orders.emails.tsx';
import { applyOrderTransition, findOrder, type OrderDetail } from '../orders/orders.repository.ts';
import { cancelWithItsLicence, setUpOrderInProgress } from '../orders/orders.service.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';
import { canManageService } from '../people/staff-access.ts';
import { formatDay } from '../quotes/quote-rules.ts';
import { accessChangeWaitsFromSetUp } from './access-changes.repository.ts';
import {
  CHANGE_AUDIT_ACTIONS,
  type ChangeKind,
  type ChangeOrder,
  type ChangeOutcome,
  changeEmailWords,
  changeInstructions,
  decideChange,
  type LicenceNow,
} from './licence-changes.ts';
import { auditProjectsMade, emailProjectsReady } from './project-provisioning.service.ts';
import { provisionOrderJob, startProvisioningJob } from './provisioning.jobs.ts';
import {
  activateLicence,
  changeLicence,
  findLicencePeople,
  findRun,
  finishRun,
  insertRun,
  type LicencePeople,
  type LicencePerson,
  listProjectsForProvisioning,
  listRuns,
  lockLicenceForChange,
  type ProvisioningProject,
  type ProvisioningRun,
  recordOrderPeriod,
  recordProvisionedProjects,
} from './provisioning.repository.ts';
import {
  detailsProblem,
  emailedWords,
  groupsChangedSinceSent,
  madeProjectLine,
  parseProvisioningForm,
  provisioningActions,
} from './provisioning-rules.ts';

/**
 * From an approved order to an active licence (DESIGN.md §3: start / finish provisioning), as
 * steps with compensation. A person records what they made (the manual provisioner, the
 * default), or an automated provisioner (platform/provisioner) is run by a job; either way one
 * transaction completes the order, records what was made on the storage projects, activates the
 * licence with its dates, writes the audit rows and emails the people on the licence. A failure
 * undoes what the provisioner reported as made and leaves the order provisioning-failed, with the
 * error for staff only, to be retried.
 *
 * A change order (increase, renewal, recovery, cancellation) goes the same way, but makes no
 * storage projects: a person marks it as done, or the provisioner is sent the change; completing
 * it re-checks the licence (licence-changes.ts) on its locked row and applies the change.
 */
export interface ProvisioningContext {
  db: Executor;
  jobs: JobQueue;
  clock: Clock;
  site: { serviceName: string; contactEmail: string; publicUrl: string };
  provisioner: Provisioner;
}

/** The staff page's path for an order's provisioning. */
export const provisioningPath = (reference: string, rest = ''): string =>
  `/admin/orders/${reference}/provisioning${rest}`;

/** Everything the provisioning section shows about one order. */
export interface ProvisioningView {
  provisionerKind: ProvisionerKind;
  automatic: boolean;
  /** The licence's storage projects, with what provisioning made of them. */
  projects: ProvisioningProject[];
  /** Newest first. */
  runs: ProvisioningRun[];
  /** A change order waiting to be completed: what to do on the storage, or why it cannot be done now. */
  change?: { instructions: string } | { problem: string };
}

export async function loadProvisioning(
  db: Executor,
  order: OrderDetail,
  provisioner: Pick<Provisioner, 'kind' | 'automatic'>,
): Promise<ProvisioningView> {
  const projects = await listProjectsForProvisioning(db, order.licence.id);
  const runs = await listRuns(db, order.id);
  const view = { provisionerKind: provisioner.kind, automatic: provisioner.automatic, projects, runs };
  const actions = provisioningActions(order, provisioner);
  if (order.kind === 'new' || !(actions.record || actions.start || actions.retry)) return view;
  return { ...view, change: await changeToDo(db, order) };
}

async function changeToDo(db: Executor, order: OrderDetail): Promise<{ instructions: string } | { problem: string }> {
  try {
    const { outcome } = await requireChange(db, order);
    const projects = await listProjectsForProvisioning(db, order.licence.id);
    return { instructions: changeInstructions(changeOrderOf(order, outcome.after.endDate), outcome, projects) };
  } catch (error) {
    if (error instanceof AppError) return { problem: error.publicMessage };
    throw error;
  }
}

/** The order by reference for the back office: 404 if there is none. */
export async function findOrderForStaff(db: Executor, reference: string): Promise<OrderDetail> {
  const order = await findOrder(db, { reference });
  if (!order) throw new AppError('not-found', `There is no order ${reference}.`);
  return order;
}

function requireManager(person: PersonWithRoles, order: OrderDetail): void {
  if (!canManageService(person, order.product.service)) {
    throw new AppError('forbidden', `Only the ${order.product.service} storage team can provision this order.`);
  }
}

async function movedOn(tx: Executor, order: OrderDetail, what: string): Promise<AppError> {
  const current = await findOrder(tx, { id: order.id });
  const label = current ? ORDER_STATUS_WORDS[current.status].label.toLowerCase() : 'gone';
  return new AppError('conflict', `Order ${order.reference} cannot be ${what}: it is ${label} now. Reload the page.`);
}

/**
 * "Mark as provisioned": a person of the service's team records what they made. Bad answers come
 * back per field and change nothing; otherwise the order goes approved (or provisioning-failed) →
 * provisioning → completed in one transaction with everything else completion does.
 */
export async function recordManualProvisioning(
  context: ProvisioningContext,
  person: PersonWithRoles,
  order: OrderDetail,
  values: Readonly<Record<string, string>>,
): Promise<{ errors: FieldErrors } | { details: ProvisionedDetails }> {
  requireManager(person, order);
  if (!provisioningActions(order, context.provisioner).record) {
    throw new AppError(
      'conflict',
      `Order ${order.reference} is ${ORDER_STATUS_WORDS[order.status].label.toLowerCase()}: there is nothing to record now.`,
    );
  }
  if (order.kind !== 'new') return { details: await markChangeDone(context, person, order) };
  const projects = (await listProjectsForProvisioning(context.db, order.licence.id)).filter(
    (project) => project.status === 'pending',
  );
  const parsed = parseProvisioningForm(values, projects, order.sizeTb);
  if (!parsed.ok) return { errors: parsed.errors };
  await context.db.transaction().execute(async (tx) => {
    const now = context.clock.now();
    if (!(await applyOrderTransition(tx, order.id, 'start-provisioning', now))) {
      throw await movedOn(tx, order, 'marked as provisioned');
    }
    const runId = await insertRun(tx, {
      orderId: order.id,
      provisioner: 'manual',
      startedByPersonId: person.id,
      startedAt: now,
      finished: { outcome: 'succeeded', details: parsed.details, at: now },
    });
    await completeProvisioning(
      { ...context, db: tx },
      order,
      { id: runId, provisioner: 'manual', fromStatus: order.status },
      parsed.details,
      personActor(person),
    );
    // Recorded by hand where an automated provisioner is set (after a failed run): its people may
    // have changed since that run's request, and their group syncs found the licence pending, so
    // the groups are sent as they are now (a run's own completion does it: syncGroupsChangedMeanwhile).
    if (context.provisioner.automatic)
      await context.jobs.enqueue(tx, syncLicenceGroupsJob, { licenceId: order.licence.id });
  });
  return { details: parsed.details };
}

/** "Mark as done" for a change order: the team made the change on the storage; it is applied in one transaction. */
async function markChangeDone(
  context: ProvisioningContext,
  person: PersonWithRoles,
  order: OrderDetail,
): Promise<ProvisionedDetails> {
  return context.db.transaction().execute(async (tx) => {
    const now = context.clock.now();
    if (!(await applyOrderTransition(tx, order.id, 'start-provisioning', now))) {
      throw await movedOn(tx, order, 'marked as done');
    }
    const { outcome } = await requireChange(tx, order);
    const details = { quotaTb: outcome.after.sizeTb, projects: [] };
    const runId = await insertRun(tx, {
      orderId: order.id,
      provisioner: 'manual',
      startedByPersonId: person.id,
      startedAt: now,
      finished: { outcome: 'succeeded', details, at: now },
    });
    await completeProvisioning(
      { ...context, db: tx },
      order,
      { id: runId, provisioner: 'manual', fromStatus: order.status },
      details,
      personActor(person),
    );
    return details;
  });
}

/** A change order as the rules see it, with its new end date. */
function changeOrderOf(order: OrderDetail, endsOn: string | null): ChangeOrder {
  return { reference: order.reference, kind: order.kind as ChangeKind, sizeTb: order.sizeTb, endsOn };
}

/**
 * Locks the change order's licence (through `db`, a transaction where it matters) and decides the
 * change on it as it is now; a conflict with the rules' message (for staff) if it cannot be made.
 */
export async function requireChange(
  db: Executor,
  order: OrderDetail,
): Promise<{ licence: LicenceNow; outcome: Extract<ChangeOutcome, { ok: true }>; setUp?: OrderDetail }> {
  const { orderEndsOn, ...licence } = await lockLicenceForChange(db, { id: order.id, licenceId: order.licence.id });
  const outcome = decideChange(changeOrderOf(order, orderEndsOn), licence);
  if (!outcome.ok) throw new AppError('conflict', outcome.problem);
  if (order.kind !== 'cancellation' || licence.status !== 'pending') return { licence, outcome };
  // A licence waiting to be set up: its new order is cancelled with it, unless it is being set up now.
  const setUp = await setUpOrderInProgress(db, order.licence.id);
  if (setUp?.status === 'provisioning') {
    throw new AppError(
      'conflict',
      `Order ${order.reference} cannot be completed: order ${setUp.reference} is setting up its storage now. Nothing was changed. Try again once that is done or has failed.`,
    );
  }
  return { licence, outcome, setUp };
}

/**
 * A new order's licence that the team has locked is not set up (its storage made, the licence
 * activated) until they unlock it, as a change order's licence is not changed (decideChange). Locks
 * the row through `db`; a conflict with the lock's reason, for staff.
 */
async function requireUnlockedLicence(db: Executor, order: OrderDetail): Promise<void> {
  const licence = await lockLicenceForChange(db, { id: order.id, licenceId: order.licence.id });
  const locked = licenceLockProblem(licence, 'staff');
  if (locked) throw new AppError('conflict', `Order ${order.reference} cannot be completed: ${locked}`);
}

/** "Start provisioning" on an approved order, with an automated provisioner. */
export async function startProvisioning(
  context: ProvisioningContext,
  person: PersonWithRoles,
  order: OrderDetail,
): Promise<number> {
  requireManager(person, order);
  if (!provisioningActions(order, context.provisioner).start) {
    throw new AppError('conflict', `Order ${order.reference} cannot be started: ${whyNot(order, context)}`);
  }
  return startRunOrRefuse(context, order, person, 'started');
}

/** "Retry provisioning" on a provisioning-failed order: provisioning-failed → provisioning, with a new run. */
export async function retryProvisioning(
  context: ProvisioningContext,
  person: PersonWithRoles,
  order: OrderDetail,
): Promise<number> {
  requireManager(person, order);
  if (!provisioningActions(order, context.provisioner).retry) {
    throw new AppError('conflict', `Order ${order.reference} cannot be retried: ${whyNot(order, context)}`);
  }
  return startRunOrRefuse(context, order, person, 'retried');
}

function whyNot(order: OrderDetail, context: ProvisioningContext): string {
  if (!context.provisioner.automatic) return 'provisioning is manual here; record what you made instead.';
  return `it is ${ORDER_STATUS_WORDS[order.status].label.toLowerCase()}.`;
}

async function startRunOrRefuse(
  context: ProvisioningContext,
  order: OrderDetail,
  person: PersonWithRoles,
  what: 'started' | 'retried',
): Promise<number> {
  return context.db.transaction().execute(async (tx) => {
    const runId = await startAutomaticRun({ ...context, db: tx }, order, personActor(person), person.id);
    if (runId === undefined) throw await movedOn(tx, order, what);
    return runId;
  });
}

/**
 * Moves the order to provisioning, opens a run and enqueues the job that calls the provisioner,
 * all through `context.db` (a transaction). Undefined if the order had already moved on.
 */
async function startAutomaticRun(
  context: ProvisioningContext,
  order: OrderDetail,
  actor: Actor,
  startedByPersonId: number | null,
): Promise<number | undefined> {
  const tx = context.db;
  const before = await tx.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirst();
  const now = context.clock.now();
  if (!(await applyOrderTransition(tx, order.id, 'start-provisioning', now))) return undefined;
  const runId = await insertRun(tx, {
    orderId: order.id,
    provisioner: context.provisioner.kind,
    startedByPersonId,
    startedAt: now,
  });
  await recordAudit(tx, {
    actor,
    entityType: 'order',
    entityId: order.reference,
    licenceId: order.licence.id,
    action: 'provisioning started',
    before: { status: before?.status ?? order.status },
    after: { status: 'provisioning', run: runId, provisioner: context.provisioner.kind },
  });
  await context.jobs.enqueue(tx, provisionOrderJob, { orderId: order.id, runId }, { singletonKey: `${runId}` });
  return runId;
}

/**
 * For the approval: call inside the approval's transaction. With an automated provisioner the
 * order's provisioning starts in the background (the job checks the provisioner and that the
 * order is still approved); with the manual one the job does nothing and the order waits.
 */
export async function enqueueProvisioningIfAutomatic(
  tx: Executor,
  jobs: JobQueue,
  order: { id: number },
): Promise<void> {
  await jobs.enqueue(tx, startProvisioningJob, { orderId: order.id }, { singletonKey: `${order.id}` });
}

/** The job's half of enqueueProvisioningIfAutomatic. */
export async function startProvisioningAfterApproval(context: ProvisioningContext, orderId: number): Promise<void> {
  if (!context.provisioner.automatic) return;
  const order = await findOrder(context.db, { id: orderId });
  if (!order || !provisioningActions(order, context.provisioner).start) return;
  await context.db
    .transaction()
    .execute((tx) => startAutomaticRun({ ...context, db: tx }, order, systemActor('provisioning'), null));
}

/**
 * What an automated provisioner is asked to make: the order, its product, its licence and its
 * pending projects; for a change order, the change instead of projects (a conflict if the
 * licence no longer allows it).
 */
export async function provisionRequest(db: Executor, order: OrderDetail, runId: number): Promise<ProvisionRequest> {
  const change = order.kind === 'new' ? undefined : await requireChange(db, order);
  if (!change) await requireUnlockedLicence(db, order);
  const projects = change
    ? []
    : (await listProjectsForProvisioning(db, order.licence.id)).filter((project) => project.status === 'pending');
  const people = await findLicencePeople(db, order.licence.id);
  return {
    run: { id: runId },
    order: { id: order.id, reference: order.reference, kind: order.kind },
    product: { code: order.product.code, name: order.product.name, service: order.product.service },
    licence: {
      id: order.licence.id,
      name: order.licence.name,
      sizeTb: change ? change.licence.sizeTb : order.sizeTb,
      termYears: order.termYears,
      department: { id: order.institution.id, name: order.institution.name },
      owner: people.owner.crsid,
      managers: people.managers.map((manager) => manager.crsid),
    },
    projects: projects.map((project) => ({
      id: project.id,
      name: project.name,
      quotaTb: project.quotaTb,
      members: project.members,
    })),
    ...(change ? { change: change.outcome.change } : {}),
  };
}

/**
 * The provision-order job: calls the provisioner for a running run and records the outcome.
 * Idempotent: a run that has finished, or an order that has moved on, is left alone. A failure
 * (or an answer that cannot be used) undoes what the provisioner reported as made, then fails the
 * run and the order; only an error of our own (the database) is thrown, for the queue to retry.
 */
export async function runProvisioning(
  context: ProvisioningContext,
  job: { orderId: number; runId: number },
  log: Logger,
): Promise<'succeeded' | 'failed' | 'skipped'> {
  const run = await findRun(context.db, job.runId);
  if (!run || run.orderId !== job.orderId || run.outcome !== 'running') return 'skipped';
  const order = await findOrder(context.db, { id: job.orderId });
  if (order?.status !== 'provisioning') return 'skipped';
  const provisioner = context.provisioner;
  let failure: { message: string; partial: ProvisionedDetails | null } | undefined;
  let details: ProvisionedDetails | undefined;
  let request: ProvisionRequest;
  try {
    request = await provisionRequest(context.db, order, run.id);
  } catch (error) {
    // A change the licence no longer allows: the provisioner is not called, nothing changes.
    if (!(error instanceof AppError)) throw error;
    await context.db.transaction().execute((tx) =>
      failProvisioning({ ...context, db: tx }, order, run, {
        message: error.publicMessage,
        partial: null,
        undone: null,
      }),
    );
    return 'failed';
  }
  if (!provisioner.automatic) {
    failure = { message: 'The provisioner is now manual: record what was made by hand.', partial: null };
  } else {
    try {
      details = await provisioner.provision(request);
      const problem = detailsProblem(
        details,
        request.projects.map((project) => project.id),
      );
      if (problem) failure = { message: `The provisioner's answer cannot be used: ${problem}.`, partial: details };
    } catch (error) {
      failure = {
        message: error instanceof Error ? error.message : String(error),
        partial: error instanceof ProvisioningError ? error.partial : null,
      };
    }
  }

  if (!failure && details) {
    const made = details;
    try {
      const recorded = await context.db.transaction().execute(async (tx) => {
        if (!(await finishRun(tx, run.id, { outcome: 'succeeded', details: made }, context.clock.now()))) return false;
        await completeProvisioning(
          { ...context, db: tx },
          order,
          { id: run.id, provisioner: run.provisioner, fromStatus: 'provisioning' },
          made,
          systemActor(`provisioner (${run.provisioner})`),
        );
        await syncGroupsChangedMeanwhile(tx, context.jobs, order, request);
        return true;
      });
      return recorded ? 'succeeded' : 'skipped';
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      failure = { message: `The storage was made but could not be recorded: ${error.publicMessage}`, partial: made };
    }
  }
  if (!failure) return 'skipped';

  let message = failure.message;
  let undone: ProvisionedDetails | null = null;
  if (failure.partial) {
    try {
      await provisioner.undo(request, failure.partial);
      undone = failure.partial;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      message = `${message} Undoing what it had made also failed (${reason}): check by hand and remove ${describeMade(failure.partial)}.`;
    }
  }
  log.warn({ orderId: order.id, runId: run.id, undone: Boolean(undone) }, 'provisioning failed');
  await context.db
    .transaction()
    .execute((tx) =>
      failProvisioning({ ...context, db: tx }, order, run, { message, partial: failure.partial, undone }),
    );
  return 'failed';
}

/**
 * New storage just activated by an automated run: if its people or projects changed on its pages
 * while the provisioner was at work (the licence was still pending, so their group sync sent
 * nothing), the licence's groups are sent now, in the completing transaction.
 */
async function syncGroupsChangedMeanwhile(
  tx: Executor,
  jobs: JobQueue,
  order: OrderDetail,
  sent: ProvisionRequest,
): Promise<void> {
  if (order.kind !== 'new') return;
  const now = await groupSyncRequestFor(tx, order.licence.id);
  if (now && groupsChangedSinceSent(sent, now)) {
    await jobs.enqueue(tx, syncLicenceGroupsJob, { licenceId: order.licence.id });
  }
}

function describeMade(details: ProvisionedDetails): string {
  return (
    details.projects
      .map((project) =>
        [
          project.path,
          project.shareName ? `share ${project.shareName}` : '',
          ...project.groups.map((g) => `group ${g}`),
        ]
          .filter(Boolean)
          .join(', '),
      )
      .join('; ') || 'whatever it made'
  );
}

/**
 * The last step, through `context.db` (a transaction): the order completed, the storage projects
 * active with what was made, the licence active from today for its term, the audit rows, and one
 * email to the Data Owner, the Data Managers and the buyer. Throws a conflict (rolling back the
 * transaction) if anything moved on meanwhile.
 */
export async function completeProvisioning(
  context: ProvisioningContext,
  order: OrderDetail,
  run: { id: number; provisioner: ProvisionerKind; fromStatus: string },
  details: ProvisionedDetails,
  actor: Actor,
): Promise<void> {
  const tx = context.db;
  if (!(await applyOrderTransition(tx, order.id, 'finish-provisioning', context.clock.now()))) {
    throw await movedOn(tx, order, 'completed');
  }
  if (order.kind !== 'new') return completeChange(context, order, run, actor);
  await requireUnlockedLicence(tx, order);
  const before = await listProjectsForProvisioning(tx, order.licence.id);
  // A project removed on its page while the provisioner was making it is not recorded: the
  // licence's group sync after completion tells the provisioner it was removed.
  const live = new Set(before.map((project) => project.id));
  const made = { ...details, projects: details.projects.filter((project) => live.has(project.id)) };
  const changed = await recordProvisionedProjects(tx, order.licence.id, made);
  if (changed !== made.projects.length) {
    throw new AppError('conflict', `The storage projects of order ${order.reference} have changed; reload the page.`);
  }
  // From today for the order's term, unless the team gave the waiting licence its dates.
  const today = context.clock.today().toString();
  const activated = await activateLicence(
    tx,
    order.licence.id,
    { startDate: today, endDate: licenceEndDate(today, order.termYears) },
    context.clock.now(),
  );
  if (!activated) {
    throw new AppError('conflict', `The licence of order ${order.reference} is no longer waiting to be set up.`);
  }
  // The order keeps the period it pays for, as a change order does: a later edit of the licence's
  // dates, or a renewal, moves the licence on, not what this order was billed for.
  await recordOrderPeriod(tx, order.id, activated.after);
  // With the manual provisioner, a change of its people or projects made during the set-up waits
  // for an access change from now on (an automated run sends its groups: syncGroupsChangedMeanwhile).
  await accessChangeWaitsFromSetUp(tx, order.licence.id, context.clock.now());

  await auditCompletion(tx, actor, order, run, 'provisioned', {
    action: 'activated',
    before: { status: 'pending', ...activated.before },
    after: { status: 'active', ...activated.after },
  });
  await auditProjectsMade(tx, actor, order.licence.id, before, made.projects);
  await emailStorageReady(context, order, made, before, activated.after);
}

/**
 * A change order's last step, through `context.db` (the transaction that completed the order):
 * the licence re-checked on its locked row and changed, the audit rows of the order and the
 * licence, and one email saying what changed to the Data Owner, the Data Managers and the buyer.
 */
async function completeChange(
  context: ProvisioningContext,
  order: OrderDetail,
  run: { id: number; provisioner: ProvisionerKind; fromStatus: string },
  actor: Actor,
): Promise<void> {
  const tx = context.db;
  const { licence, outcome, setUp } = await requireChange(tx, order);
  const { after } = outcome;
  if (!(await changeLicence(tx, order.licence.id, licence.status, after, context.clock.now()))) {
    throw new AppError('conflict', `The licence of order ${order.reference} has changed meanwhile; reload the page.`);
  }
  if (
    setUp &&
    !(await cancelWithItsLicence(
      tx,
      actor,
      setUp,
      `The licence was cancelled by order ${order.reference}`,
      context.clock.now(),
    ))
  ) {
    throw new AppError('conflict', `Order ${setUp.reference} has changed meanwhile; reload the page.`);
  }
  await auditCompletion(tx, actor, order, run, 'completed', {
    action: CHANGE_AUDIT_ACTIONS[order.kind as ChangeKind],
    before: { status: licence.status, sizeTb: licence.sizeTb, endDate: licence.endDate },
    after: { ...after, order: order.reference, ...(outcome.restored ? { storage: 'restored' } : {}) },
  });
  const projects = await listProjectsForProvisioning(tx, order.licence.id);
  const words = changeEmailWords(changeOrderOf(order, after.endDate), order.licence.name, outcome, projects);
  const setUpWords = setUp
    ? [`Order ${setUp.reference}, which was to set it up, is cancelled too: nothing will be charged for it.`]
    : [];
  // More space is the licence's to give: the link leads to its storage projects.
  const links = words.give
    ? [{ url: licenceProjectsUrl(context, order.licence.id), textLabel: words.give, htmlLabel: words.give }]
    : [];
  await emailLicencePeople(context, order, words.headline, [...words.paragraphs, ...setUpWords], links);
}

/** The storage projects section of a licence's page, as a link in an email. */
const licenceProjectsUrl = (context: ProvisioningContext, licenceId: number) =>
  `${context.site.publicUrl}/storage/licence/${licenceId}/#projects`;

/** The audit rows of a completion, through `tx`: the order done by the run, and what became of its licence. */
async function auditCompletion(
  tx: Executor,
  actor: Actor,
  order: OrderDetail,
  run: { id: number; provisioner: ProvisionerKind; fromStatus: string },
  orderAction: string,
  licence: { action: string; before: Record<string, unknown>; after: Record<string, unknown> },
): Promise<void> {
  await recordAudit(tx, {
    actor,
    entityType: 'order',
    entityId: order.reference,
    licenceId: order.licence.id,
    action: orderAction,
    before: { status: run.fromStatus },
    after: { status: 'completed', run: run.id, provisioner: run.provisioner },
  });
  await recordAudit(tx, {
    actor,
    entityType: 'licence',
    entityId: order.licence.id,
    licenceId: order.licence.id,
    ...licence,
  });
}

/** The licence's Data Owner and Data Managers and the order's buyer, each once: who is told, and how many have left. */
function licencePeopleToTell(people: LicencePeople, buyer: LicencePerson): { told: LicencePerson[]; left: number } {
  const everyone = [...new Map([people.owner, ...people.managers, buyer].map((p) => [p.crsid, p])).values()];
  return {
    told: everyone.filter((person) => person.current),
    left: everyone.filter((person) => !person.current).length,
  };
}

/**
 * What the staff read once provisioning has emailed the licence's people: how many were told, and
 * that those who have left the University were not (emailLicencePeople's rule).
 */
export async function licencePeopleEmailed(db: Executor, order: OrderDetail): Promise<string> {
  const { told, left } = licencePeopleToTell(await findLicencePeople(db, order.licence.id), order.buyer);
  return emailedWords(told.length, left);
}

/**
 * One email about the order to its licence's Data Owner and Data Managers and its buyer, through
 * `context.db`, leaving out whoever has left the University; nothing when all have.
 */
async function emailLicencePeople(
  context: ProvisioningContext,
  order: OrderDetail,
  headline: string,
  paragraphs: string[],
  links: NoticeLink[] = [],
): Promise<void> {
  const { told } = licencePeopleToTell(await findLicencePeople(context.db, order.licence.id), order.buyer);
  const to = told.map((person) => person.email);
  if (to.length === 0) return;
  const message = renderEmail(
    orderEmail,
    {
      serviceName: context.site.serviceName,
      contactEmail: context.site.contactEmail,
      reference: order.reference,
      headline,
      paragraphs,
      links,
      orderUrl: `${context.site.publicUrl}/orders/${order.reference}/`,
    },
    { to },
  );
  await queueEmail(context.db, message, context.jobs);
}

async function emailStorageReady(
  context: ProvisioningContext,
  order: OrderDetail,
  details: ProvisionedDetails,
  projects: ProvisioningProject[],
  dates: { startDate: string; endDate: string },
): Promise<void> {
  const projectLines = details.projects.map((made) =>
    madeProjectLine(projects.find((project) => project.id === made.id)?.name ?? `#${made.id}`, made),
  );
  await emailLicencePeople(context, order, `Your storage is ready: ${order.licence.name}`, [
    `${sizeText(order.sizeTb)} of ${order.product.name} for “${order.licence.name}” (order ${order.reference}) is set up and ready to use.`,
    `The licence runs from ${formatDay(dates.startDate)} to ${formatDay(dates.endDate)}. We will remind the Data Owner and Data Managers before it ends.`,
    ...projectLines,
  ]);
  // Members given a place in a project while it waited were told they would hear when it is made.
  const { told } = licencePeopleToTell(await findLicencePeople(context.db, order.licence.id), order.buyer);
  await emailProjectsReady(
    context,
    context.db,
    order.licence,
    projects,
    details.projects,
    told.map((person) => person.email),
  );
}

/**
 * A failed run, through `context.db` (a transaction): the run keeps the error (staff only), what
 * was made and what was undone; the order becomes provisioning-failed (customers read "Being set
 * up (delayed)", never the error); the audit row; and the service team is emailed.
 */
export async function failProvisioning(
  context: ProvisioningContext,
  order: OrderDetail,
  run: { id: number; provisioner: ProvisionerKind },
  failure: { message: string; partial: ProvisionedDetails | null; undone: ProvisionedDetails | null },
): Promise<void> {
  const tx = context.db;
  const finished = await finishRun(
    tx,
    run.id,
    { outcome: 'failed', details: failure.partial, error: failure.message, undone: failure.undone },
    context.clock.now(),
  );
  if (!finished) return;
  if (!(await applyOrderTransition(tx, order.id, 'provisioning-failed', context.clock.now()))) {
    throw await movedOn(tx, order, 'marked as failed');
  }
  // The licence's trail is shown to its customers, so the error stays on the run.
  await recordAudit(tx, {
    actor: systemActor(`provisioner (${run.provisioner})`),
    entityType: 'order',
    entityId: order.reference,
    licenceId: order.licence.id,
    action: 'provisioning failed',
    before: { status: 'provisioning' },
    after: { status: 'provisioning-failed', run: run.id, undone: failure.undone !== null },
  });
  const undoneWords = failure.partial
    ? failure.undone
      ? 'What it had made was undone.'
      : 'What it had made could not be undone: see the error.'
    : 'It reported nothing made.';
  const message = renderEmail(
    orderEmail,
    {
      serviceName: context.site.serviceName,
      contactEmail: context.site.contactEmail,
      reference: order.reference,
      headline: `Provisioning of order ${order.reference} failed`,
      paragraphs: [
        `Run ${run.id} (${run.provisioner}) for “${order.licence.name}” failed: ${failure.message}`,
        undoneWords,
        'Retry it, or record by hand what you made, on the order’s provisioning page.',
      ],
      orderUrl: `${context.site.publicUrl}${provisioningPath(order.reference)}`,
    },
    { to: order.product.teamEmail },
  );
  await queueEmail(tx, message, context.jobs);
}
