import { setTimeout as sleep } from 'node:timers/promises';
import type { IdTokenClient } from 'google-auth-library';
import type { Logger } from 'pino';
import * as z from 'zod';
import { correlationId } from '../../platform/logging/correlation.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { type FinanceCode, formatGlCode, type Problem, parseGlCode, parseGrant } from './finance-code.ts';
import { TtlCache } from './ttl-cache.ts';

/**
 * The gateway's client for the CUFS API service. Every check ends in one of four answers:
 * valid, invalid, malformed (decided here, without a network call) or unavailable — which never
 * blocks a customer: the order waits for a background re-check instead.
 */
export type FinanceCodeCheck =
  | {
      outcome: 'valid';
      code: FinanceCode;
      /** Names to show beside the code, e.g. "Physics: general", "External trading". */
      names: string[];
      validFrom: string;
      validTo: string | null;
    }
  | { outcome: 'invalid'; code: FinanceCode; reason: string; message: string }
  | { outcome: 'malformed'; problems: Problem[] }
  | { outcome: 'unavailable'; cause: UnavailableCause };

export type UnavailableCause =
  | 'circuit-open'
  | 'timeout'
  | 'network'
  | 'server-error'
  | 'rate-limited'
  | 'refused'
  | 'bad-answer';

export interface CufsClientOptions {
  baseUrl: string;
  /** The bearer token, or a function that fetches one (e.g. a Google ID token on Cloud Run). */
  token?: string | (() => Promise<string>);
  /**
   * A Google ID token for Cloud Run's own IAM check in front of a CUFS service that only named
   * accounts may invoke, sent as `X-Serverless-Authorization`: Cloud Run checks that header when
   * it is present and passes `Authorization` (the CUFS token) on to the service untouched.
   */
  serverlessToken?: () => Promise<string>;
  /** One attempt's limit. */
  timeoutMs?: number;
  /** Retries after the first attempt, for timeouts, network errors, 429 and 5xx. */
  retries?: number;
  /** The first retry waits about this long; each later one twice as long, with jitter. */
  backoffMs?: number;
  /** The whole check, retries included, never takes longer than this. */
  budgetMs?: number;
  breaker?: { failureThreshold: number; resetAfterMs: number };
  cache?: { ttlMs: number; maxEntries: number };
  now?: () => number;
  log?: Pick<Logger, 'warn' | 'error'>;
}

const DEFAULTS = {
  timeoutMs: 1_500,
  retries: 2,
  backoffMs: 100,
  budgetMs: 3_000,
  breaker: { failureThreshold: 5, resetAfterMs: 30_000 },
  cache: { ttlMs: 60_000, maxEntries: 1_000 },
};

// The CUFS answers, parsed at the edge: anything else is a bad answer, never trusted.
const invalidAnswer = z.object({ result: z.literal('invalid'), reason: z.string(), message: z.string() });
/** Each kind of valid answer becomes the same shape: the names a person recognises and the window. */
const glAnswer = z.union([
  z
    .object({
      result: z.literal('valid'),
      costCentre: z.object({ name: z.string(), department: z.object({ name: z.string() }) }),
      sourceOfFunds: z.object({ name: z.string() }),
      validFrom: z.string(),
      validTo: z.string().nullable(),
    })
    .transform((a) => ({
      result: a.result,
      names: [a.costCentre.name, a.costCentre.department.name, a.sourceOfFunds.name],
      validFrom: a.validFrom,
      validTo: a.validTo,
    })),
  invalidAnswer,
]);
const grantAnswer = z.union([
  z
    .object({
      result: z.literal('valid'),
      award: z.object({ title: z.string(), sponsor: z.string() }),
      project: z.object({ title: z.string() }),
      task: z.object({ name: z.string() }),
      validFrom: z.string(),
      validTo: z.string(),
    })
    .transform((a) => ({
      result: a.result,
      names: [a.award.title, a.award.sponsor, a.project.title, a.task.name],
      validFrom: a.validFrom,
      validTo: a.validTo,
    })),
  invalidAnswer,
]);
const malformedAnswer = z.object({
  result: z.literal('malformed'),
  problems: z.array(z.object({ field: z.string(), message: z.string() })),
});

type Attempt =
  | { kind: 'answer'; status: number; body: unknown }
  | { kind: 'failed'; cause: UnavailableCause; retry: boolean };

export class CufsClient {
  private readonly options: Required<Omit<CufsClientOptions, 'token' | 'serverlessToken' | 'log'>> &
    Pick<CufsClientOptions, 'token' | 'serverlessToken' | 'log'>;
  private readonly breaker: CircuitBreaker;
  private readonly cache: TtlCache<FinanceCodeCheck>;

  constructor(options: CufsClientOptions) {
    this.options = { ...DEFAULTS, now: Date.now, ...options, baseUrl: options.baseUrl.replace(/\/$/, '') };
    this.breaker = new CircuitBreaker({ ...this.options.breaker, now: this.options.now });
    this.cache = new TtlCache({ ...this.options.cache, now: this.options.now });
  }

  get breakerState() {
    return this.breaker.state;
  }

  /** A GL code such as PHAA.GAAA, as of a day ('YYYY-MM-DD'; the service's today if omitted). */
  async checkGlCode(text: string, on?: string): Promise<FinanceCodeCheck> {
    const parsed = parseGlCode(text);
    if (!parsed.ok) return { outcome: 'malformed', problems: parsed.problems };
    const code: FinanceCode = { kind: 'gl', ...parsed.value };
    const query = new URLSearchParams({ code: formatGlCode(parsed.value), ...(on ? { on } : {}) });
    return this.check(`/v1/gl-codes/validate?${query}`, code, (body) => answerCheck(code, glAnswer, body));
  }

  /** A grant: award, project and task, as of a day. */
  async checkGrant(input: { award?: string; project?: string; task?: string }, on?: string): Promise<FinanceCodeCheck> {
    const parsed = parseGrant(input);
    if (!parsed.ok) return { outcome: 'malformed', problems: parsed.problems };
    const code: FinanceCode = { kind: 'grant', ...parsed.value };
    const query = new URLSearchParams({ ...parsed.value, ...(on ? { on } : {}) });
    return this.check(`/v1/grants/validate?${query}`, code, (body) => answerCheck(code, grantAnswer, body));
  }

  private async check(
    path: string,
    code: FinanceCode,
    interpret: (body: unknown) => FinanceCodeCheck | undefined,
  ): Promise<FinanceCodeCheck> {
    const cached = this.cache.get(path);
    if (cached) return cached;
    if (!this.breaker.tryAcquire()) return { outcome: 'unavailable', cause: 'circuit-open' };

    const answer = await this.fetchWithRetries(path);
    let check: FinanceCodeCheck;
    if (answer.kind === 'failed') {
      check = { outcome: 'unavailable', cause: answer.cause };
    } else if (answer.status === 200) {
      check = interpret(answer.body) ?? { outcome: 'unavailable', cause: 'bad-answer' };
    } else if (answer.status === 400 && malformedAnswer.safeParse(answer.body).success) {
      // Our rules passed it and the service's did not: the two have drifted. Believe the service.
      this.options.log?.warn({ code, body: answer.body }, 'CUFS called a code malformed that the gateway accepted');
      check = { outcome: 'malformed', problems: malformedAnswer.parse(answer.body).problems };
    } else {
      check = { outcome: 'unavailable', cause: 'bad-answer' };
    }

    if (check.outcome === 'unavailable') {
      this.breaker.recordFailure();
      this.options.log?.warn({ cause: check.cause, breaker: this.breaker.state }, 'CUFS service unavailable');
    } else {
      this.breaker.recordSuccess();
      this.cache.set(path, check);
    }
    return check;
  }

  private async fetchWithRetries(path: string): Promise<Attempt> {
    const deadline = this.options.now() + this.options.budgetMs;
    let attempt: Attempt = { kind: 'failed', cause: 'timeout', retry: false };
    for (let tries = 0; tries <= this.options.retries; tries++) {
      if (tries > 0) {
        const wait = this.options.backoffMs * 2 ** (tries - 1) * (0.5 + Math.random() / 2);
        if (this.options.now() + wait + 50 >= deadline) break;
        await sleep(wait);
      }
      const remaining = deadline - this.options.now();
      if (remaining <= 0) break;
      attempt = await this.fetchOnce(path, Math.min(this.options.timeoutMs, remaining));
      if (attempt.kind === 'answer' || !attempt.retry) return attempt;
    }
    return attempt;
  }

  private async fetchOnce(path: string, timeoutMs: number): Promise<Attempt> {
    // One limit for the attempt: asking the metadata server for an ID token (which has no time
    // limit of its own on Cloud Run) and the call itself.
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
      const serverless = this.options.serverlessToken && (await untilAborted(this.options.serverlessToken(), signal));
      // CUFS logs the caller's request id: the page's or job's, so both sides' lines can be matched.
      const requestId = correlationId();
      const response = await fetch(`${this.options.baseUrl}${path}`, {
        headers: {
          accept: 'application/json',
          ...(requestId ? { 'x-request-id': requestId } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(serverless ? { 'x-serverless-authorization': `Bearer ${serverless}` } : {}),
        },
        signal,
      });
      if (response.status === 401 || response.status === 403) {
        await response.body?.cancel();
        this.options.log?.error(
          { status: response.status },
          'CUFS service refused our credentials: check CUFS_TOKEN, and on Cloud Run CUFS_ID_TOKEN_AUDIENCE and run.invoker on the CUFS service',
        );
        return { kind: 'failed', cause: 'refused', retry: false };
      }
      if (response.status === 429) {
        await response.body?.cancel();
        return { kind: 'failed', cause: 'rate-limited', retry: true };
      }
      if (response.status >= 500) {
        await response.body?.cancel();
        return { kind: 'failed', cause: 'server-error', retry: true };
      }
      // Read whole first: a body that stalls past the time limit throws (a timeout, tried again);
      // only one that arrived and is no JSON is an answer we cannot read.
      const text = await response.text();
      return { kind: 'answer', status: response.status, body: parsedJson(text) };
    } catch (error) {
      const timedOut = error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
      return { kind: 'failed', cause: timedOut ? 'timeout' : 'network', retry: true };
    }
  }
}

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `promise`'s outcome, or the signal's reason (a TimeoutError) if it aborts first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

function answerCheck(
  code: FinanceCode,
  schema: typeof glAnswer | typeof grantAnswer,
  body: unknown,
): FinanceCodeCheck | undefined {
  const answer = schema.safeParse(body);
  if (!answer.success) return undefined;
  const a = answer.data;
  if (a.result === 'invalid') return { outcome: 'invalid', code, reason: a.reason, message: a.message };
  return { outcome: 'valid', code, names: a.names, validFrom: a.validFrom, validTo: a.validTo };
}

/** The client as the gateway's settings describe it (CUFS_URL, CUFS_TOKEN, CUFS_ID_TOKEN_AUDIENCE). */
export function cufsClientFromConfig(
  cufs: { url: string; token?: string; idTokenAudience?: string },
  log?: CufsClientOptions['log'],
): CufsClient {
  const serverlessToken = cufs.idTokenAudience ? googleIdTokenSource(cufs.idTokenAudience) : undefined;
  return new CufsClient({ baseUrl: cufs.url, token: cufs.token, serverlessToken, log });
}

/**
 * Google ID tokens for `audience`, from Application Default Credentials: on Cloud Run the
 * instance's service account, through the metadata server. google-auth-library keeps each until
 * five minutes before it expires (they live an hour); it is loaded on the first call, so a start
 * (and every deployment without CUFS_ID_TOKEN_AUDIENCE) does without it.
 */
export function googleIdTokenSource(audience: string): () => Promise<string> {
  let client: Promise<IdTokenClient> | undefined;
  let pending: Promise<string> | undefined;
  const ask = async (): Promise<string> => {
    client ??= import('google-auth-library').then(({ GoogleAuth }) => new GoogleAuth().getIdTokenClient(audience));
    try {
      const headers = await (await client).getRequestHeaders();
      const token = /^Bearer (.+)$/.exec(headers.get('authorization') ?? '')?.[1];
      if (!token) throw new Error('google-auth-library gave no ID token');
      return token;
    } catch (error) {
      // Credentials not found (the metadata server slow at start, say): look afresh next time.
      client = undefined;
      throw error;
    }
  };
  // Callers at the same moment (a retry after a timed-out attempt) share one request.
  return () =>
    (pending ??= ask().finally(() => {
      pending = undefined;
    }));
}
