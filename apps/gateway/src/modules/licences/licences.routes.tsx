import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import { requirePerson } from '../../platform/identity/current-person.ts';
import { shownInView } from '../../platform/identity/view-as-rules.ts';
import { AppError, withConflictLink } from '../../platform/web/errors.ts';
import { formValues } from '../../platform/web/forms.ts';
import { PageCache } from '../../platform/web/page-cache.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { pageQuery } from '../admin/manage-forms.ts';
import { listLicenceAudit } from '../audit/audit.repository.ts';
import { auditNames } from '../audit/audit-names.repository.ts';
import { listProducts } from '../catalogue/catalogue.repository.ts';
import { sizeText } from '../catalogue/sizes.ts';
import {
  type FinanceCodeReplacementContext,
  mayReplaceClosedCode,
  replaceClosedFinanceCode,
} from '../lifecycle/finance-code-replacement.service.ts';
import { openLicenceFlags } from '../lifecycle/finance-recheck.repository.ts';
import { coldFrom, deletableFrom, type LifecycleSettings } from '../lifecycle/lifecycle-dates.ts';
import { changeOptionsFor, quoteStandingOf } from '../orders/change-orders.service.ts';
import { DEFAULT_ORDER_LIMIT, listOrdersForPerson } from '../orders/orders.queries.ts';
import type { RenewalWindowSettings } from '../orders/renewal-window.ts';
import { findPeopleByCrsids, type PersonWithRoles } from '../people/people.repository.ts';
import { nameAndCrsid } from '../people/people-from-directory.ts';
import { listChangeQuotesForLicence, listQuotesForPerson, type Quote } from '../quotes/quotes.service.ts';
import { licenceUsage } from '../usage/usage.service.ts';
import { licenceLink, licenceNotFound, projectNotFound } from './licence-links.ts';
import { withoutLockReasons } from './licence-lock.ts';
import {
  addDataManager,
  addProjectMember,
  changeRightsFor,
  createStorageProject,
  handOverOwnership,
  latestHandOver,
  type MembersContext,
  managerNamed,
  managerToRemove,
  mayMakeChange,
  PROJECT_ROLES,
  projectMembersToTell,
  projectMemberToRemove,
  projectNamed,
  proposedOwner,
  removeDataManager,
  removeProjectMember,
  removeStorageProject,
  renameStorageProject,
  resizeStorageProject,
} from './licence-members.service.ts';
import { alreadyManager, PROJECT_ROLE_LABELS, parseQuotaTb, projectNameTaken } from './licence-members.ts';
import {
  HandOverPage,
  licencePath,
  type MembersForm,
  projectPath,
  RemovePlacePage,
  RemoveProjectPage,
} from './licence-members.views.tsx';
import {
  DEFAULT_LICENCE_LIMIT,
  findLicenceForPerson,
  findProjectForPerson,
  listLicencesForPerson,
} from './licences.repository.ts';
import { LicencePage, MyStoragePage, ProjectPage } from './licences.views.tsx';
import { byWhomAndWhen, pressedTwice } from './pressed-twice.ts';

/** A database id from the address: digits only, and small enough to be one. */
export function parseId(text: string): number | undefined {
  if (!/^[1-9][0-9]{0,14}$/.test(text)) return undefined;
  return Number(text);
}

/** MY STORAGE: a person's licences, orders and storage projects (DESIGN.md §9). */
export async function licencesRoutes(
  app: FastifyInstance,
  options: MembersContext & {
    clock: Clock;
    /** Where another finance code for a closed one is checked. */
    cufs: FinanceCodeReplacementContext['cufs'];
    /** The near-quota threshold the usage chart draws (USAGE_WARNING_PERCENT). */
    warningPercent: number;
    /**
     * When a renewal opens, which the licence page says instead of offering it (renewal-window.ts),
     * and when an expired licence takes its next step, which it names (lifecycle-dates.ts).
     */
    lifecycle: RenewalWindowSettings & LifecycleSettings;
  },
): Promise<void> {
  const { db, clock, warningPercent, lifecycle } = options;
  const members: MembersContext = options;
  const payments: FinanceCodeReplacementContext = {
    db,
    clock,
    jobs: options.jobs,
    cufs: options.cufs,
    site: options.site,
  };

  /**
   * Quotes with whether each can still be ordered with and, if not, the reason that matters most
   * (quote-standing.ts): the rule ordering with it applies, as the quote's page says. An expired
   * change quote reads its licence too, to say that the licence has gone rather than the date.
   */
  const withRefusals = (quotes: Quote[], today: string) =>
    Promise.all(quotes.map(async (quote) => ({ quote, standing: await quoteStandingOf(db, quote, today, lifecycle) })));

  // People come back to My storage after every change and reload it: kept per session until data changes.
  const myStoragePages = new PageCache();
  app.get('/storage/', async (request, reply) => {
    const person = requirePerson(request);
    const today = clock.today().toString();
    const query = request.query as Record<string, unknown> | undefined;
    // Most people have one page of each: no parsing for them on the page people load most.
    const pageOf = (value: unknown) => (value === undefined ? 1 : pageQuery.parse(value));
    const pages = { licences: pageOf(query?.licences), orders: pageOf(query?.orders) };
    // Viewing the site as this person: only what the member of staff may see too (view-as-rules.ts).
    const services = request.viewingAs?.services;
    return myStoragePages.send(request, reply, today, async () => {
      // Four independent reads: on PostgreSQL they run side by side on the pool, not one after another.
      const [products, licences, orders, allQuotes] = await Promise.all([
        listProducts(db, today),
        listLicencesForPerson(db, person.id, today, {
          offset: (pages.licences - 1) * DEFAULT_LICENCE_LIMIT,
          services,
        }),
        listOrdersForPerson(db, person.id, { offset: (pages.orders - 1) * DEFAULT_ORDER_LIMIT, services }),
        listQuotesForPerson(db, person.id),
      ]);
      const quotes = allQuotes.filter((quote) => shownInView(services, quote.service));
      // The totals line counts every licence: all of them for someone with more than a page (rare).
      const all =
        licences.total > licences.licences.length
          ? (await listLicencesForPerson(db, person.id, today, { limit: licences.total, services })).licences
          : licences.licences;
      return (
        <MyStoragePage
          context={pageContext(request, reply)}
          products={products}
          licences={licences}
          allLicences={all}
          orders={orders}
          pages={pages}
          quotes={await withRefusals(quotes, today)}
        />
      );
    });
  });

  async function renderLicence(
    request: FastifyRequest,
    reply: FastifyReply,
    person: PersonWithRoles,
    id?: number,
    form?: MembersForm,
  ) {
    const licence = id === undefined ? undefined : await findLicenceForPerson(db, person, id);
    if (!licence) throw licenceNotFound();
    // The storage team's reasons for a lock are theirs: customers read that it was locked, not why.
    const history = licence.access === 'full' ? withoutLockReasons(await listLicenceAudit(db, licence.id)) : [];
    const rights = await changeRightsFor(db, person, licence.id);
    const flags = licence.access === 'full' ? await openLicenceFlags(db, licence.id) : [];
    const replaceCode =
      flags.some((flag) => flag.kind === 'finance-code-closed') && (await mayReplaceClosedCode(db, person, licence.id));
    const changeOrders = await changeOptionsFor(db, person, licence.id, clock.today().toString(), lifecycle);
    const usage = await licenceUsage(db, licence.id, clock.today().toString(), warningPercent);
    const quotes =
      licence.access === 'full'
        ? await withRefusals(await listChangeQuotesForLicence(db, licence.id), clock.today().toString())
        : [];
    return sendPage(
      reply,
      <LicencePage
        context={pageContext(request, reply)}
        licence={licence}
        history={history}
        historyNames={await auditNames(db, history)}
        flags={flags}
        replaceCode={replaceCode}
        changeOrders={changeOrders}
        changeQuotes={quotes}
        usage={usage}
        changes={{ rights, form }}
        viewer={person}
        expiryDays={
          licence.endDate
            ? {
                coldFrom: coldFrom(licence.endDate, lifecycle),
                deletableFrom: deletableFrom(licence.endDate, lifecycle),
              }
            : undefined
        }
      />,
      form ? 422 : 200,
    );
  }

  async function renderProject(
    request: FastifyRequest,
    reply: FastifyReply,
    person: PersonWithRoles,
    id?: number,
    form?: MembersForm,
  ) {
    const project = id === undefined ? undefined : await findProjectForPerson(db, person, id);
    if (!project) throw projectNotFound();
    const rights = await changeRightsFor(db, person, project.licence.id, project.id);
    // The most its quota can be: what the licence's other projects (not removed) leave of its size.
    const licence = rights.projects ? await findLicenceForPerson(db, person, project.licence.id) : undefined;
    const maxQuotaTb =
      licence &&
      licence.sizeTb -
        licence.projects
          .filter((each) => each.status !== 'removed' && each.id !== project.id)
          .reduce((sum, each) => sum + each.quotaTb, 0);
    return sendPage(
      reply,
      <ProjectPage
        context={pageContext(request, reply)}
        project={project}
        changes={{ rights, form, maxQuotaTb }}
        viewer={person}
      />,
      form ? 422 : 200,
    );
  }

  app.get<{ Params: { id: string } }>('/storage/licence/:id/', async (request, reply) => {
    return renderLicence(request, reply, requirePerson(request), parseId(request.params.id));
  });

  app.get<{ Params: { id: string } }>('/storage/project/:id/', async (request, reply) => {
    return renderProject(request, reply, requirePerson(request), parseId(request.params.id));
  });

  /**
   * A change from a page: done, then back to `done()` with a flash; refused with field messages,
   * the page again (422) with each message next to its field (the service's field names mapped
   * to the form's by `fields`). Other refusals (404, 403, 409) are the site's error pages.
   */
  async function change(
    request: FastifyRequest,
    reply: FastifyReply,
    run: (values: Record<string, string>) => Promise<{ flash: string; to: string }>,
    fields: Record<string, string>,
    again: (form: MembersForm) => Promise<unknown>,
  ) {
    const values = formValues(request.body);
    try {
      const done = await run(values);
      request.session.flash = done.flash;
      return reply.redirect(done.to, 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'unprocessable' || !error.fields) throw error;
      const errors = Object.fromEntries(
        Object.entries(error.fields).map(([field, message]) => [fields[field] ?? field, message]),
      );
      return again({ errors, values });
    }
  }

  type IdRequest = FastifyRequest<{ Params: { id: string } }>;
  const licenceIdOf = (request: IdRequest) => {
    const id = parseId(request.params.id);
    if (id === undefined) throw licenceNotFound();
    return id;
  };
  const projectIdOf = (request: IdRequest) => {
    const id = parseId(request.params.id);
    if (id === undefined) throw projectNotFound();
    return id;
  };

  app.post<{ Params: { id: string } }>('/storage/licence/:id/managers', async (request, reply) => {
    const person = requirePerson(request);
    const id = licenceIdOf(request);
    return change(
      request,
      reply,
      async (values) => {
        const crsid = values.managerCrsid ?? '';
        const done = async () => ({
          flash: `${await named(crsid)} is now a Data Manager of this licence.`,
          to: licencePath(id),
        });
        try {
          await addDataManager(members, person, id, crsid);
        } catch (error) {
          // The button pressed twice: they are a Data Manager, added by this person a moment ago,
          // so the second lands where the first did. Anyone else is told who added them, and when.
          if (!(error instanceof AppError)) throw error;
          const now = await managerNamed(db, id, crsid);
          if (!now || !(await changeRightsFor(db, person, id)).managers) throw error;
          if (pressedTwice(now.added, person)) return done();
          if (!now.added || error.fields?.crsid !== alreadyManager(now.displayName)) throw error;
          const message = alreadyManager(now.displayName, byWhomAndWhen(now.added, person));
          throw new AppError('unprocessable', message, { crsid: message });
        }
        return done();
      },
      { crsid: 'managerCrsid' },
      (form) => renderLicence(request, reply, person, id, form),
    );
  });

  /** Someone named in a notice as messages name people ("Ben Manager (bm202)"); the CRSid alone if unknown. */
  async function named(crsidText: string): Promise<string> {
    const crsid = crsidText.trim().toLowerCase();
    const [found] = await findPeopleByCrsids(db, [crsid]);
    return found ? nameAndCrsid(found) : crsid;
  }

  /**
   * Someone's place taken away from a page, then back to the page (or to My storage for someone
   * who removed themselves and no longer sees it). A place gone already (the button pressed
   * twice, a stale page: the service's 404 for the place, while the person still sees the page)
   * lands there too, saying that nothing changed, instead of on "Page not found". So does
   * removing oneself twice, told the same whatever the id, so it reveals nothing.
   */
  async function removal(
    request: FastifyRequest,
    reply: FastifyReply,
    person: PersonWithRoles,
    what: {
      crsid: string;
      /** The place, as "a Data Manager of this licence". */
      place: string;
      /** What the success notice says happened, when it is not "is no longer <place>". */
      done?: string;
      remove: () => Promise<void>;
      sees: () => Promise<boolean>;
      page: string;
    },
  ) {
    const crsid = what.crsid.trim().toLowerCase();
    const self = crsid === person.crsid;
    try {
      await what.remove();
      request.session.flash = `${await named(crsid)} ${what.done ?? `is no longer ${what.place}`}.`;
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'not-found' || crsid === '') throw error;
      if (!self && !(await what.sees())) throw error;
      request.session.flash = await notAPlace(person, crsid, what.place);
    }
    return reply.redirect((await what.sees()) ? what.page : '/storage/', 303);
  }

  /** Nothing to remove: `crsid` does not hold the place (any more), said as the removal says it. */
  async function notAPlace(person: PersonWithRoles, crsidText: string, place: string): Promise<string> {
    const crsid = crsidText.trim().toLowerCase();
    const who = crsid === person.crsid ? 'You are' : `${await named(crsid)} is`;
    return `${who} not ${place} (any more), so nothing has changed.`;
  }

  /**
   * The page that asks before someone's place is taken away (RemovePlacePage), whose button posts
   * the removal below. Refused as the removal is (licence-members.service.ts), a refusal for the
   * licence's state leading back to its page; someone who no longer holds the place is not asked
   * about it: back to the page, which says nothing changed.
   */
  app.get<{ Params: { id: string }; Querystring: { crsid?: string } }>(
    '/storage/licence/:id/managers/remove',
    async (request, reply) => {
      const person = requirePerson(request);
      const id = licenceIdOf(request);
      const licence = await findLicenceForPerson(db, person, id);
      if (!licence) throw licenceNotFound();
      const crsid = request.query.crsid ?? '';
      const removal = await withConflictLink(licenceLink(licence), () => managerToRemove(db, person, id, crsid));
      if (!removal) {
        request.session.flash = await notAPlace(person, crsid, 'a Data Manager of this licence');
        return reply.redirect(licencePath(id), 303);
      }
      return sendPage(
        reply,
        <RemovePlacePage
          context={pageContext(request, reply)}
          licence={licence}
          removal={removal}
          self={removal.person.id === person.id}
        />,
      );
    },
  );

  app.post<{ Params: { id: string } }>('/storage/licence/:id/managers/remove', async (request, reply) => {
    const person = requirePerson(request);
    const id = licenceIdOf(request);
    const crsid = formValues(request.body).crsid ?? '';
    return removal(request, reply, person, {
      crsid,
      place: 'a Data Manager of this licence',
      remove: () => removeDataManager(members, person, id, crsid),
      sees: async () => (await findLicenceForPerson(db, person, id)) !== undefined,
      page: licencePath(id),
    });
  });

  app.post<{ Params: { id: string } }>('/storage/licence/:id/projects', async (request, reply) => {
    const person = requirePerson(request);
    const id = licenceIdOf(request);
    return change(
      request,
      reply,
      async (values) => {
        const input = { name: values.projectName ?? '', quotaTb: values.projectQuotaTb ?? '' };
        const done = (projectId: number) => ({
          flash: `Storage project ${input.name.trim()} created.`,
          to: projectPath(projectId),
        });
        try {
          return done(await createStorageProject(members, person, id, input));
        } catch (error) {
          // The button pressed twice: the project this person made a moment ago, with this name and
          // quota, is the one asked for, and the second lands on it as the first did (not on "that
          // name is taken", after which people make "spectra2"). Otherwise the name's message says
          // who made the project that has it, and when.
          if (!(error instanceof AppError)) throw error;
          const made = await projectNamed(db, id, input.name);
          if (!made || !(await changeRightsFor(db, person, id)).projects) throw error;
          const quota = parseQuotaTb(input.quotaTb);
          const same = made.name === input.name.trim() && 'quotaTb' in quota && quota.quotaTb === made.quotaTb;
          if (same && pressedTwice(made.made, person)) return done(made.id);
          if (!made.made || error.fields?.name !== projectNameTaken()) throw error;
          throw new AppError('unprocessable', error.publicMessage, {
            ...error.fields,
            name: projectNameTaken(byWhomAndWhen(made.made, person)),
          });
        }
      },
      { name: 'projectName', quotaTb: 'projectQuotaTb' },
      (form) => renderLicence(request, reply, person, id, form),
    );
  });

  /** Another finance code for a closed one (finance-code-replacement.service.ts): by its Data Owner or a Data Manager. */
  app.post<{ Params: { id: string } }>('/storage/licence/:id/finance-code', async (request, reply) => {
    const person = requirePerson(request);
    const id = licenceIdOf(request);
    // Someone who may not see the licence learns nothing, not even that it exists.
    if (!(await findLicenceForPerson(db, person, id))) throw licenceNotFound();
    const values = formValues(request.body);
    const outcome = await replaceClosedFinanceCode(payments, person, id, values);
    if (!outcome.ok) return renderLicence(request, reply, person, id, { errors: outcome.errors, values });
    request.session.flash = outcome.message;
    return reply.redirect(licencePath(id), 303);
  });

  /** The licence whose hand-over the person may make now, or the refusal (checked before anything else is). */
  async function licenceToHandOver(person: PersonWithRoles, id: number) {
    const licence = await findLicenceForPerson(db, person, id);
    if (!licence) throw licenceNotFound();
    const rights = await changeRightsFor(db, person, id);
    if (rights.problem) throw new AppError('conflict', rights.problem);
    if (!rights.handOver)
      throw new AppError('forbidden', 'Only the Data Owner can hand the licence over to someone else.');
    return licence;
  }

  async function renderHandOver(
    request: IdRequest,
    reply: FastifyReply,
    licence: Awaited<ReturnType<typeof licenceToHandOver>>,
    options: { form?: MembersForm; confirming?: Awaited<ReturnType<typeof proposedOwner>> } = {},
  ) {
    // An owner who has left (the team replacing them) does not stay on: the confirmation says so.
    const [owner] = options.confirming ? await findPeopleByCrsids(db, [licence.owner.crsid]) : [];
    return sendPage(
      reply,
      <HandOverPage
        context={pageContext(request, reply)}
        licence={licence}
        form={options.form}
        confirming={options.confirming}
        ownerLeft={owner?.status === 'left'}
      />,
      options.form ? 422 : 200,
    );
  }

  app.get<{ Params: { id: string } }>('/storage/licence/:id/owner', async (request, reply) => {
    return renderHandOver(request, reply, await licenceToHandOver(requirePerson(request), licenceIdOf(request)));
  });

  app.post<{ Params: { id: string } }>('/storage/licence/:id/owner', async (request, reply) => {
    const person = requirePerson(request);
    const id = licenceIdOf(request);
    const values = formValues(request.body);
    if (values.confirm !== 'yes') {
      // First step: who may hand it over (so that someone who cannot see the licence learns
      // nothing, not even that it exists), then the CRSid, then a confirmation naming the person.
      const licence = await licenceToHandOver(person, id);
      try {
        const next = await proposedOwner(members, id, values.crsid ?? '');
        return renderHandOver(request, reply, licence, { confirming: next });
      } catch (error) {
        if (!(error instanceof AppError) || !error.fields) throw error;
        return renderHandOver(request, reply, licence, { form: { errors: { ...error.fields }, values } });
      }
    }
    // Staff (the service team) may hand over too: they are not the one who stays on.
    const whoStays = async (oldOwner: string | undefined) =>
      !oldOwner
        ? ''
        : oldOwner === person.crsid
          ? '; you are a Data Manager'
          : `; ${await named(oldOwner)} stays on as a Data Manager`;
    return change(
      request,
      reply,
      async () => {
        const crsid = (values.crsid ?? '').trim().toLowerCase();
        const newOwner = `${await named(crsid)} is now the Data Owner of this licence`;
        let handed: Awaited<ReturnType<typeof handOverOwnership>>;
        try {
          handed = await handOverOwnership(members, person, id, crsid);
        } catch (error) {
          // The same confirmation again (the button pressed twice): that hand-over is made, so the
          // second lands where the first did instead of on "Only the Data Owner can hand it over".
          // Only for the person who made it a moment ago (the old owner, now a Data Manager, or the
          // service team); any other keeper of the licence is told who handed it over, and when.
          const now = error instanceof AppError ? await findLicenceForPerson(db, person, id) : undefined;
          const handedTo =
            now?.owner.crsid === crsid &&
            now.owner.id !== person.id &&
            (await changeRightsFor(db, person, id)).managers;
          if (!now || !handedTo) throw error;
          const made = await latestHandOver(db, id);
          if (made?.after?.owner !== crsid) {
            throw new AppError('conflict', `${await named(crsid)} is the Data Owner of this licence already.`);
          }
          if (!pressedTwice(made, person)) {
            throw new AppError(
              'conflict',
              `This licence was already handed over to ${await named(crsid)} ${byWhomAndWhen(made, person)}.`,
            );
          }
          // As the first said it: who stays on is in the hand-over's audit row.
          const stayed = made.after?.oldOwnerNowManager;
          return {
            flash: `${newOwner}${await whoStays(typeof stayed === 'string' ? stayed : undefined)}.`,
            to: licencePath(id),
          };
        }
        return {
          flash: `${newOwner}${await whoStays(handed.oldOwnerStays ? handed.oldOwner : undefined)}.`,
          to: licencePath(id),
        };
      },
      {},
      async (form) => renderHandOver(request, reply, await licenceToHandOver(person, id), { form }),
    );
  });

  app.post<{ Params: { id: string } }>('/storage/project/:id/quota', async (request, reply) => {
    const person = requirePerson(request);
    const id = projectIdOf(request);
    return change(
      request,
      reply,
      async (values) => {
        const resized = await resizeStorageProject(members, person, id, values.quotaTb ?? '');
        // As the page writes sizes ("2 TB"), not as typed (" 02 "): it was taken, so it parses.
        const parsed = parseQuotaTb(values.quotaTb);
        const quota = 'quotaTb' in parsed ? sizeText(parsed.quotaTb) : '';
        return {
          flash: resized ? `The quota is now ${quota}.` : `The quota is ${quota} already, so nothing has changed.`,
          to: projectPath(id),
        };
      },
      {},
      (form) => renderProject(request, reply, person, id, form),
    );
  });

  app.post<{ Params: { id: string } }>('/storage/project/:id/name', async (request, reply) => {
    const person = requirePerson(request);
    const id = projectIdOf(request);
    return change(
      request,
      reply,
      async (values) => {
        const name = (values.projectName ?? '').trim();
        const renamed = await renameStorageProject(members, person, id, name);
        return {
          flash: renamed
            ? `The project is now called ${name}.`
            : `The project is called ${name} already, so nothing has changed.`,
          to: projectPath(id),
        };
      },
      { name: 'projectName' },
      (form) => renderProject(request, reply, person, id, form),
    );
  });

  /**
   * The project whose removal the person may confirm now, and the licence's free TB once it is
   * removed; or the refusal (who may, before anything else, so that someone who cannot see the
   * project learns nothing of it).
   */
  async function projectToRemove(person: PersonWithRoles, id: number) {
    const project = await findProjectForPerson(db, person, id);
    if (!project) throw projectNotFound();
    // Who may remove it before the licence's state, as the removal itself checks: a Project Data
    // Manager of a locked licence is refused (403), not told the licence is locked (409).
    if (!(await mayMakeChange(db, person, project.licence.id, 'remove-project', project.id))) {
      throw new AppError('forbidden', 'Only the Data Owner and Data Managers can remove a storage project.');
    }
    if (project.status === 'removed') throw new AppError('conflict', 'This storage project has been removed.');
    const rights = await changeRightsFor(db, person, project.licence.id, project.id);
    if (rights.problem) throw new AppError('conflict', rights.problem);
    const licence = await findLicenceForPerson(db, person, project.licence.id);
    const given = (licence?.projects ?? [])
      .filter((each) => each.status !== 'removed' && each.id !== project.id)
      .reduce((sum, each) => sum + each.quotaTb, 0);
    const told = await projectMembersToTell(db, project.id, person);
    return {
      project,
      licenceFreeTbAfter: (licence?.sizeTb ?? 0) - given,
      emailed: told.map((member) => member.id),
      removerId: person.id,
    };
  }

  app.get<{ Params: { id: string } }>('/storage/project/:id/remove', async (request, reply) => {
    const found = await projectToRemove(requirePerson(request), projectIdOf(request));
    return sendPage(reply, <RemoveProjectPage context={pageContext(request, reply)} {...found} />);
  });

  app.post<{ Params: { id: string } }>('/storage/project/:id/remove', async (request, reply) => {
    const person = requirePerson(request);
    const id = projectIdOf(request);
    if (formValues(request.body).confirm !== 'yes') {
      const found = await projectToRemove(person, id);
      return sendPage(reply, <RemoveProjectPage context={pageContext(request, reply)} {...found} />);
    }
    try {
      const removed = await removeStorageProject(members, person, id);
      request.session.flash = `Storage project ${removed.name} removed: its ${sizeText(removed.quotaTb)} ${removed.quotaTb === 1 ? 'is' : 'are'} free for the licence's other projects.`;
      return reply.redirect(licencePath(removed.licenceId), 303);
    } catch (error) {
      // The button pressed twice: the second lands where the first did, for those who may remove it.
      const now = error instanceof AppError ? await findProjectForPerson(db, person, id) : undefined;
      if (now?.status !== 'removed' || !(await changeRightsFor(db, person, now.licence.id)).projects) throw error;
      request.session.flash = `Storage project ${now.name} has been removed.`;
      return reply.redirect(licencePath(now.licence.id), 303);
    }
  });

  app.post<{ Params: { id: string } }>('/storage/project/:id/members', async (request, reply) => {
    const person = requirePerson(request);
    const id = projectIdOf(request);
    return change(
      request,
      reply,
      async (values) => {
        await addProjectMember(members, person, id, { crsid: values.memberCrsid ?? '', role: values.memberRole ?? '' });
        return {
          flash: `${await named(values.memberCrsid ?? '')} has been added to this project.`,
          to: projectPath(id),
        };
      },
      { crsid: 'memberCrsid', role: 'memberRole' },
      (form) => renderProject(request, reply, person, id, form),
    );
  });

  app.get<{ Params: { id: string }; Querystring: { crsid?: string; role?: string } }>(
    '/storage/project/:id/members/remove',
    async (request, reply) => {
      const person = requirePerson(request);
      const id = projectIdOf(request);
      const project = await findProjectForPerson(db, person, id);
      if (!project) throw projectNotFound();
      const { crsid = '', role = '' } = request.query;
      const removal = await withConflictLink(
        { href: projectPath(id), text: `Go to the storage project ${project.name}` },
        () => projectMemberToRemove(db, person, id, { crsid, role }),
      );
      const known = PROJECT_ROLES.find((each) => each === role);
      if (!removal || !known) {
        const place = known ? `a ${PROJECT_ROLE_LABELS[known]} of this project` : 'a member of this project';
        request.session.flash = await notAPlace(person, crsid, place);
        return reply.redirect(projectPath(id), 303);
      }
      return sendPage(
        reply,
        <RemovePlacePage
          context={pageContext(request, reply)}
          licence={project.licence}
          project={{ ...project, status: removal.project.status }}
          role={known}
          removal={removal}
          self={removal.person.id === person.id}
        />,
      );
    },
  );

  app.post<{ Params: { id: string } }>('/storage/project/:id/members/remove', async (request, reply) => {
    const person = requirePerson(request);
    const id = projectIdOf(request);
    const values = formValues(request.body);
    const crsid = values.crsid ?? '';
    const role = PROJECT_ROLES.find((each) => each === values.role);
    return removal(request, reply, person, {
      crsid,
      place: role ? `a ${PROJECT_ROLE_LABELS[role]} of this project` : 'a member of this project',
      done: 'has been removed from this project',
      remove: () => removeProjectMember(members, person, id, { crsid, role: values.role ?? '' }),
      sees: async () => (await findProjectForPerson(db, person, id)) !== undefined,
      page: projectPath(id),
    });
  });
}
