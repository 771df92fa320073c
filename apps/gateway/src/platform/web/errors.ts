/** Every failure the gateway reports on purpose, mapped to an HTTP status in one place. */
export const APP_ERROR_STATUS = {
  'bad-request': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'payload-too-large': 413,
  unprocessable: 422,
  'rate-limited': 429,
  unavailable: 503,
} as const;

export type AppErrorCode = keyof typeof APP_ERROR_STATUS;

/**
 * The message of the API's 422 for a body with fields to fix, whoever refuses them (its schema, or
 * a service's rules as the pages apply them): `fields` has a message for each.
 */
export const BODY_NOT_VALID = 'The request body is not valid: see the message for each field.';

/** A page a person can go on to from a failure's page (the order in the way, the licence…). */
export interface AppErrorLink {
  href: string;
  text: string;
}

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    /** Safe to show to the person: never a stack, a query or a secret. */
    readonly publicMessage: string,
    /** Messages for single fields of the input, keyed by the field's name or dotted path. */
    readonly fields?: Readonly<Record<string, string>>,
    /** Where to go next, listed on the failure's page before the home page (not sent to the API). */
    readonly links: readonly AppErrorLink[] = [],
  ) {
    super(publicMessage);
    this.name = 'AppError';
  }

  get status(): number {
    return APP_ERROR_STATUS[this.code];
  }
}

/**
 * Runs `action`, and gives a conflict it throws (a stale tab's second approval, a licence locked
 * meanwhile) a link back to what the action was about, when it has none of its own: its page
 * then leads on to that order or licence as it is now, not only to the home page.
 */
export async function withConflictLink<T>(link: AppErrorLink, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof AppError && error.code === 'conflict' && error.links.length === 0) {
      throw new AppError(error.code, error.publicMessage, error.fields, [link]);
    }
    throw error;
  }
}
