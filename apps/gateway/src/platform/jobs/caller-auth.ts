import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { Config } from '../config.ts';

/** Why a call to /cloud_tasks/ or /cron/ was refused: 401 for no or bad token, 403 for a caller not allowed. */
export class CallerRefused extends Error {
  constructor(
    readonly status: 401 | 403,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'CallerRefused';
  }
}

export interface VerifiedCaller {
  email: string;
}

export type CallerSettings = Config['jobs']['callers'];

/** Google signs its ID tokens with either spelling of its issuer. */
const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];

/**
 * Verifies the `Authorization: Bearer <ID token>` that Cloud Tasks and Cloud Scheduler attach:
 * signed by a key in the JWKS (Google's certificates by default), from the expected issuer, for
 * this service's audience, not expired, and naming a verified service account on the allowed list.
 */
export function callerVerifier(
  settings: CallerSettings,
  keys: JWTVerifyGetKey = createRemoteJWKSet(new URL(settings.jwksUrl)),
): (authorization: string | undefined) => Promise<VerifiedCaller> {
  const issuer = GOOGLE_ISSUERS.includes(settings.issuer) ? GOOGLE_ISSUERS : settings.issuer;
  const allowed = new Set(settings.allowed.map((email) => email.toLowerCase()));
  return async (authorization) => {
    const token = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(authorization ?? '')?.[1];
    if (!token) throw new CallerRefused(401, 'a bearer token is required');
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(token, keys, {
        issuer,
        audience: settings.audience,
        algorithms: ['RS256', 'ES256'],
        clockTolerance: 30,
      }));
    } catch (error) {
      const reason =
        error instanceof errors.JWTExpired
          ? 'the token has expired'
          : error instanceof errors.JWTClaimValidationFailed
            ? `the token's ${error.claim} is not accepted`
            : 'the token could not be verified';
      throw new CallerRefused(401, reason);
    }
    const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : undefined;
    if (!email || claims.email_verified !== true || !allowed.has(email))
      throw new CallerRefused(403, 'this caller may not run jobs');
    return { email };
  };
}
