import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { identityFromClaims, isLoopbackHttp, OidcClient } from './oidc.ts';

const settings = { clientId: 'gateway', scopes: 'openid email profile', crsidClaim: 'preferred_username' };

describe('mapping a provider’s claims to a person', () => {
  it('takes the CRSid, name and email from the claims', () => {
    expect(
      identityFromClaims(
        { sub: 'x1', preferred_username: 'ar101', name: 'Alice Researcher', email: 'ar101@cam.ac.uk' },
        'preferred_username',
      ),
    ).toEqual({
      ok: true,
      identity: { crsid: 'ar101', displayName: 'Alice Researcher', email: 'ar101@cam.ac.uk' },
    });
  });

  it('reads the CRSid from whichever claim is configured, lower-cased and trimmed', () => {
    const mapping = identityFromClaims({ preferred_username: 'someone-else', crsid: ' BM202 ' }, 'crsid');
    expect(mapping).toMatchObject({ ok: true, identity: { crsid: 'bm202' } });
  });

  it('accepts crsid@cam.ac.uk in the CRSid claim, as Entra ID sends it', () => {
    const mapping = identityFromClaims({ preferred_username: 'DA303@cam.ac.uk' }, 'preferred_username');
    expect(mapping).toMatchObject({ ok: true, identity: { crsid: 'da303', email: 'da303@cam.ac.uk' } });
  });

  it('falls back to the local part of a cam.ac.uk email the provider says is verified', () => {
    const mapping = identityFromClaims(
      { email: 'CB404@cam.ac.uk', email_verified: true, name: 'Chris College' },
      'preferred_username',
    );
    expect(mapping).toEqual({
      ok: true,
      identity: { crsid: 'cb404', displayName: 'Chris College', email: 'cb404@cam.ac.uk' },
    });
  });

  it('does not fall back to an email unless the provider says it is verified: a guest’s email may be anything', () => {
    for (const email_verified of [false, undefined, 'true', 1]) {
      const mapping = identityFromClaims(
        {
          preferred_username: 'attacker_evil.com#EXT#@camacuk.onmicrosoft.com',
          email: 'su701@cam.ac.uk',
          email_verified,
        },
        'preferred_username',
      );
      expect(mapping.ok, String(email_verified)).toBe(false);
    }
    // With a CRSid from its claim, an unverified email is not taken as the person's address either.
    expect(
      identityFromClaims({ preferred_username: 'ar101', email: 'someone@cam.ac.uk' }, 'preferred_username'),
    ).toMatchObject({ ok: true, identity: { crsid: 'ar101', email: 'ar101@cam.ac.uk' } });
  });

  it('refuses an email from another domain, a department subdomain included', () => {
    for (const email of ['ar101@example.com', 'ar101@cl.cam.ac.uk', 'ar101@cam.ac.uk.evil.example']) {
      const mapping = identityFromClaims({ email }, 'preferred_username');
      expect(mapping, email).toMatchObject({ ok: false });
    }
    expect(identityFromClaims({ preferred_username: 'ar101@example.com' }, 'preferred_username').ok).toBe(false);
  });

  it('refuses a username that is not shaped like a CRSid rather than guess', () => {
    for (const username of ['', '   ', 'a', 'Alice Researcher', 'ar101; drop', '1abc', 42]) {
      expect(identityFromClaims({ preferred_username: username }, 'preferred_username').ok, String(username)).toBe(
        false,
      );
    }
  });

  it('builds a display name from given and family names, else uses the CRSid', () => {
    expect(
      identityFromClaims(
        { preferred_username: 'ar101', given_name: 'Alice', family_name: 'Researcher' },
        'preferred_username',
      ),
    ).toMatchObject({ identity: { displayName: 'Alice Researcher' } });
    expect(identityFromClaims({ preferred_username: 'ar101' }, 'preferred_username')).toMatchObject({
      identity: { displayName: 'ar101', email: 'ar101@cam.ac.uk' },
    });
  });

  it('only ever yields lower-case CRSids of letters and digits', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('preferred_username', 'email', 'name', 'email_verified'), fc.jsonValue()),
        (claims) => {
          const mapping = identityFromClaims(claims, 'preferred_username');
          if (mapping.ok) expect(mapping.identity.crsid).toMatch(/^[a-z][a-z0-9]+$/);
        },
      ),
    );
  });
});

describe('which identity providers may be reached over plain http', () => {
  it('allows http only on loopback', () => {
    expect(isLoopbackHttp(new URL('http://127.0.0.1:4000'))).toBe(true);
    expect(isLoopbackHttp(new URL('http://localhost:4000'))).toBe(true);
    expect(isLoopbackHttp(new URL('http://[::1]:4000'))).toBe(true);
    expect(isLoopbackHttp(new URL('http://login.example.ac.uk'))).toBe(false);
    expect(isLoopbackHttp(new URL('http://127.0.0.1.nip.io'))).toBe(false);
    expect(isLoopbackHttp(new URL('https://127.0.0.1'))).toBe(false);
  });

  it('refuses to start with an http issuer anywhere else', () => {
    expect(() => new OidcClient({ ...settings, issuer: 'http://login.example.ac.uk' }, 'https://gw.example')).toThrow(
      /must use https/,
    );
    const client = new OidcClient({ ...settings, issuer: 'https://login.example.ac.uk/' }, 'https://gw.example');
    expect(client.redirectUri).toBe('https://gw.example/auth/oidc/callback');
  });
});
