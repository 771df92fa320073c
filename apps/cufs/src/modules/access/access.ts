import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { CufsConfig } from '../../config.ts';

/** Who called: a static token (by its position, never its value) or a Google service account. */
export type Caller = { kind: 'api-token'; name: string } | { kind: 'service-account'; email: string };

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

export class Unauthenticated extends Error {
  readonly statusCode = 401;
  constructor(readonly reason: string) {
    super('A valid bearer token is required');
    this.name = 'Unauthenticated';
  }
}

/** An ID token that cannot be checked just now: Google's signing keys did not come. Not the caller's fault. */
export class CredentialsUncheckable extends Error {
  readonly statusCode = 503;
  constructor(readonly reason: string) {
    super('The caller cannot be authenticated just now: try again shortly');
    this.name = 'CredentialsUncheckable';
  }
}

export type Authenticate = (authorization: string | undefined) => Promise<Caller>;

// Compare digests, so neither the length nor the content of a token leaks through timing.
const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Builds the check for `Authorization: Bearer …`: first the static tokens, then (when an audience is
 * configured) a Google-signed ID token from an allowed service account, verified against the JWKS.
 */
export function createAuthenticator(access: CufsConfig['access']): Authenticate {
  const tokens = access.apiTokens.map((token, index) => ({ name: `token-${index + 1}`, digest: digest(token) }));
  const idTokens = access.idTokens;
  const keys: JWTVerifyGetKey | undefined = idTokens
    ? createRemoteJWKSet(new URL(idTokens.jwksUrl), { timeoutDuration: 3_000, cooldownDuration: 30_000 })
    : undefined;

  return async (authorization) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    const presented = match?.[1];
    if (!presented) throw new Unauthenticated('no bearer token');
    const presentedDigest = digest(presented);
    const known = tokens.find((token) => timingSafeEqual(token.digest, presentedDigest));
    if (known) return { kind: 'api-token', name: known.name };
    if (!idTokens || !keys || presented.split('.').length !== 3) throw new Unauthenticated('unknown token');
    try {
      const { payload } = await jwtVerify(presented, keys, {
        audience: idTokens.audience,
        issuer: idTokens.issuers,
        algorithms: ['RS256', 'ES256'],
        clockTolerance: 30,
      });
      const email = typeof payload.email === 'string' ? payload.email.toLowerCase() : undefined;
      if (!email || payload.email_verified !== true) throw new Unauthenticated('ID token without a verified email');
      if (!idTokens.allowedServiceAccounts.includes(email))
        throw new Unauthenticated(`service account ${email} is not allowed`);
      return { kind: 'service-account', email };
    } catch (error) {
      if (error instanceof Unauthenticated) throw error;
      // Fetching the keys failed (network, timeout, an answer that is not 200 or not a key set): a
      // 401 would tell the caller its credentials are wrong, and the gateway would not retry.
      const keysFailed =
        !(error instanceof errors.JOSEError) ||
        error instanceof errors.JWKSTimeout ||
        error instanceof errors.JWKSInvalid ||
        error.code === 'ERR_JOSE_GENERIC';
      if (keysFailed) throw new CredentialsUncheckable(`signing keys unavailable: ${String(error)}`);
      throw new Unauthenticated(`ID token refused: ${error.code}`);
    }
  };
}

/**
 * Every route under /v1 needs a caller; health checks and the API description do not. It runs at
 * preParsing, after every onRequest hook, so the rate limit counts refused callers too.
 */
export function requireCallers(app: FastifyInstance, authenticate: Authenticate): void {
  app.addHook('preParsing', async (request: FastifyRequest, reply, payload) => {
    // The route Fastify matched, not the raw URL: the router decodes the path, so '/%761/…' and
    // '/v%31/…' reach the /v1 routes too. (An unmatched URL has no route: its own path decides.)
    if (!(request.routeOptions.url ?? request.url).startsWith('/v1/')) return payload;
    // No route, no caller to check: its 404 says nothing of a token. Checked here, an unmatched
    // path answered 401 or 404 by the token, outside the rate limit (which counts routes only),
    // so tokens could be tried there without limit.
    if (request.is404) return payload;
    try {
      request.caller = await authenticate(request.headers.authorization);
    } catch (error) {
      if (error instanceof Unauthenticated) request.log.warn({ reason: error.reason }, 'caller refused');
      throw error;
    }
    // Both loggers, so that Fastify's "request completed" line names the caller too.
    request.log = request.log.child({
      caller: request.caller.kind === 'api-token' ? request.caller.name : request.caller.email,
    });
    reply.log = request.log;
    return payload;
  });
}
