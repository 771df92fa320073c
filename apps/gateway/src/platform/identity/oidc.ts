import * as client from 'openid-client';
import type { IdentityClaims } from '../../modules/people/people.repository.ts';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  scopes: string;
  /** The claim that carries the CRSid, e.g. `preferred_username`. */
  crsidClaim: string;
}

/** What one sign-in attempt must remember between the redirect out and the callback. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface CompletedSignIn {
  identity: IdentityClaims;
  /** Kept for the provider's sign-out (`id_token_hint`). */
  idToken?: string;
}

/**
 * Why a sign-in did not complete. `unavailable` means the provider could not be reached or
 * answered with a server error; the others are about this one attempt.
 */
export type OidcFailure = 'unavailable' | 'refused-by-provider' | 'invalid-response' | 'missing-claims';

export class OidcSignInError extends Error {
  constructor(
    readonly failure: OidcFailure,
    /** For the log only: may name claims and provider errors, never shown to the person. */
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(detail, options);
    this.name = 'OidcSignInError';
  }
}

const UNIVERSITY_EMAIL_DOMAIN = 'cam.ac.uk';
/** Loose on purpose: it keeps out spaces, symbols and e-mail addresses, not unusual CRSids. */
const CRSID_PATTERN = /^[a-z][a-z0-9]{1,19}$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const DISCOVERY_TIMEOUT_SECONDS = 10;

export type ClaimMapping = { ok: true; identity: IdentityClaims } | { ok: false; problem: string };

/**
 * Who the provider says this is. The CRSid comes from the configured claim (a `crsid@cam.ac.uk`
 * value there counts too, as Entra ID sends one in `preferred_username`), else from a cam.ac.uk
 * email address the provider says is verified (`email_verified: true`); the contact address is
 * that email, else crsid@cam.ac.uk. Anything else is refused rather than guessed.
 */
export function identityFromClaims(claims: Record<string, unknown>, crsidClaim: string): ClaimMapping {
  const email = text(claims.email)?.toLowerCase();
  // Only an email the provider vouches for: Entra ID sends guests' and other tenants' users an
  // `email` from an attribute anyone can set, and no `email_verified` at all.
  const emailUsable = email !== undefined && claims.email_verified === true;
  const crsid = crsidFrom(text(claims[crsidClaim])) ?? (emailUsable ? crsidFromUniversityEmail(email) : undefined);
  if (!crsid) {
    return {
      ok: false,
      problem: `no CRSid in the "${crsidClaim}" claim nor a verified @${UNIVERSITY_EMAIL_DOMAIN} email`,
    };
  }
  const fullName = [text(claims.given_name), text(claims.family_name)].filter(Boolean).join(' ');
  return {
    ok: true,
    identity: {
      crsid,
      displayName: text(claims.name) ?? (fullName || crsid),
      email: emailUsable ? email : `${crsid}@${UNIVERSITY_EMAIL_DOMAIN}`,
    },
  };
}

function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function crsidFrom(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const lower = value.toLowerCase();
  if (lower.includes('@')) return crsidFromUniversityEmail(lower);
  return CRSID_PATTERN.test(lower) ? lower : undefined;
}

function crsidFromUniversityEmail(email: string | undefined): string | undefined {
  if (!email) return undefined;
  const at = email.lastIndexOf('@');
  if (at < 1 || email.slice(at + 1) !== UNIVERSITY_EMAIL_DOMAIN) return undefined;
  const local = email.slice(0, at);
  return CRSID_PATTERN.test(local) ? local : undefined;
}

/** Plain http is allowed only for a provider on this machine, which is what tests start. */
export function isLoopbackHttp(issuer: URL): boolean {
  return issuer.protocol === 'http:' && LOOPBACK_HOSTS.has(issuer.hostname);
}

/**
 * The relying party: discovers the provider lazily (the gateway starts even when the provider is
 * down) and keeps the discovered configuration, retrying discovery after a failure.
 */
export class OidcClient {
  readonly redirectUri: string;
  readonly postSignOutUri: string;
  readonly issuer: URL;
  private discovered: Promise<client.Configuration> | undefined;

  constructor(
    private readonly settings: OidcSettings,
    publicUrl: string,
  ) {
    this.issuer = new URL(settings.issuer);
    if (this.issuer.protocol !== 'https:' && !isLoopbackHttp(this.issuer)) {
      throw new Error(`OIDC_ISSUER must use https (plain http only for a provider on loopback): ${settings.issuer}`);
    }
    this.redirectUri = `${publicUrl}/auth/oidc/callback`;
    this.postSignOutUri = `${publicUrl}/`;
  }

  /** Where to send the person, and what to remember until they come back. */
  async beginSignIn(): Promise<{ authorizationUrl: URL; pending: PendingSignIn }> {
    const configuration = await this.configuration();
    const pending: PendingSignIn = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
    };
    const authorizationUrl = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: this.settings.scopes,
      response_type: 'code',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { authorizationUrl, pending };
  }

  /**
   * Checks the provider's answer against what was remembered (state, nonce, PKCE, ID token
   * signature, issuer, audience), then reads the person's claims.
   * @param callbackQuery the query string the provider sent the browser back with, without `?`
   */
  async completeSignIn(callbackQuery: string, pending: PendingSignIn): Promise<CompletedSignIn> {
    const configuration = await this.configuration();
    const callbackUrl = new URL(this.redirectUri);
    callbackUrl.search = callbackQuery;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw new OidcSignInError('invalid-response', 'the token response had no ID token');
      let claims: Record<string, unknown> = { ...idClaims };
      // Providers commonly put only `sub` in the ID token and the profile in UserInfo.
      if (!text(claims[this.settings.crsidClaim]) && configuration.serverMetadata().userinfo_endpoint) {
        const userInfo = await client.fetchUserInfo(configuration, tokens.access_token, idClaims.sub);
        claims = { ...claims, ...userInfo };
      }
      const mapping = identityFromClaims(claims, this.settings.crsidClaim);
      if (!mapping.ok) throw new OidcSignInError('missing-claims', mapping.problem);
      return { identity: mapping.identity, idToken: tokens.id_token };
    } catch (error) {
      throw classified(error);
    }
  }

  /** The provider's sign-out address, if it has one, returning the person to our home page. */
  async signOutUrl(idToken: string | undefined): Promise<URL | undefined> {
    const configuration = await this.configuration();
    if (!configuration.serverMetadata().end_session_endpoint) return undefined;
    return client.buildEndSessionUrl(configuration, {
      post_logout_redirect_uri: this.postSignOutUri,
      ...(idToken ? { id_token_hint: idToken } : {}),
    });
  }

  private configuration(): Promise<client.Configuration> {
    if (!this.discovered) {
      const clientAuthentication = this.settings.clientSecret
        ? client.ClientSecretBasic(this.settings.clientSecret)
        : client.None();
      this.discovered = client
        .discovery(this.issuer, this.settings.clientId, undefined, clientAuthentication, {
          timeout: DISCOVERY_TIMEOUT_SECONDS,
          execute: isLoopbackHttp(this.issuer) ? [client.allowInsecureRequests] : [],
        })
        .catch((error: unknown) => {
          // Forget the failure so that the next sign-in tries again.
          this.discovered = undefined;
          throw new OidcSignInError('unavailable', `discovery of ${this.issuer.href} failed`, { cause: error });
        });
    }
    return this.discovered;
  }
}

/** Sorts what openid-client throws into our failures; anything else (a bug) passes through. */
function classified(error: unknown): unknown {
  if (error instanceof OidcSignInError) return error;
  if (error instanceof client.AuthorizationResponseError) {
    return new OidcSignInError(
      'refused-by-provider',
      `provider answered ${error.error}: ${error.error_description ?? ''}`,
      {
        cause: error,
      },
    );
  }
  if (error instanceof client.ResponseBodyError) {
    const failure = error.status >= 500 ? 'unavailable' : 'invalid-response';
    return new OidcSignInError(failure, `provider answered ${error.status} ${error.error}`, { cause: error });
  }
  if (error instanceof client.ClientError) {
    const unreachable = error.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || error.code === 'OAUTH_RESPONSE_IS_NOT_JSON';
    return new OidcSignInError(unreachable ? 'unavailable' : 'invalid-response', `${error.code}: ${error.message}`, {
      cause: error,
    });
  }
  if (isNetworkFailure(error)) {
    return new OidcSignInError('unavailable', 'the provider could not be reached', { cause: error });
  }
  return error;
}

function isNetworkFailure(error: unknown): boolean {
  if (error instanceof TypeError && error.message === 'fetch failed') return true;
  return error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
}
