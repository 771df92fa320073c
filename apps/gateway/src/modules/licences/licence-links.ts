import { AppError, type AppErrorLink } from '../../platform/web/errors.ts';

/**
 * Where the pages' failures about a licence lead (AppError's links, listed on the error page
 * before the home page): each page names the place it says to go back to, and links it.
 */

/** My storage, which lists a person's licences and projects. */
export const MY_STORAGE_LINK: AppErrorLink = { href: '/storage/', text: 'Go to My storage' };

/** A licence's own page, by its name. */
export const licenceLink = (licence: { id: number; name: string }): AppErrorLink => ({
  href: `/storage/licence/${licence.id}/`,
  text: `Go to the licence “${licence.name}”`,
});

/**
 * The same answer for an id that is not a number, one that does not exist and one the person may
 * not see, so nobody can find out which licences exist by trying ids.
 */
export const licenceNotFound = () =>
  new AppError('not-found', 'We could not find that licence. Check the address, or go back to My storage.', undefined, [
    MY_STORAGE_LINK,
  ]);

export const projectNotFound = () =>
  new AppError(
    'not-found',
    'We could not find that storage project. Check the address, or go back to My storage.',
    undefined,
    [MY_STORAGE_LINK],
  );

/** The API's answer for a licence or storage project the caller cannot see (or that does not exist): `what` names it, "licence 7". */
export const notSeenInApi = (what: string) => new AppError('not-found', `There is no ${what} that you can see.`);
