import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

/** The claims a test account's provider sends, e.g. `{ preferred_username: 'ar101', name: … }`. */
export type TestAccountClaims = Record<string, unknown>;

export interface TestOidcProviderOptions {
  /** Where the provider may send people back to: the gateway's `/auth/oidc/callback`. */
  redirectUris: string[];
  /** Where the provider may send people after signing out there: the gateway's home page. */
  postLogoutRedirectUris?: string[];
  /** Accounts by the username typed on the provider's sign-in page. */
  accounts: Record<string, TestAccountClaims>;
  /** A fixed port and secret, for a test that starts the provider after the gateway already knows them. */
  port?: number;
  clientSecret?: string;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The gateway settings that point at this provider. */
  env: Record<'OIDC_ISSUER' | 'OIDC_CLIENT_ID' | 'OIDC_CLIENT_SECRET', string>;
  /** Accounts may be added while the provider runs. */
  accounts: Map<string, TestAccountClaims>;
  close(): Promise<void>;
}

const SCOPE_CLAIMS = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username'],
};

/**
 * A real OpenID Connect provider (oidc-provider) on a loopback port, with one confidential
 * client for the gateway and a plain sign-in page: type a username from `accounts` and press
 * "Sign in", or press "Cancel" to have the provider answer `access_denied`. Consent is implied,
 * as it is for the University's own services. Both tests over HTTP and browser tests can drive it.
 */
export async function startTestOidcProvider(options: TestOidcProviderOptions): Promise<TestOidcProvider> {
  const accounts = new Map(Object.entries(options.accounts));
  const clientId = 'storage-gateway';
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('hex');

  let provider: Provider | undefined;
  const server = createServer((req, res) => {
    if (!provider) {
      res.writeHead(503).end();
      return;
    }
    const interaction = req.url?.match(/^\/interaction\/([\w-]+)$/);
    if (interaction) {
      handleInteraction(provider, accounts, req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      });
      return;
    }
    provider.callback()(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'test-signing-key', alg: 'RS256', use: 'sig' };

  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        post_logout_redirect_uris: options.postLogoutRedirectUris ?? [],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: SCOPE_CLAIMS,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, accountId) => {
      const claims = accounts.get(accountId);
      if (!claims) return undefined;
      return { accountId, claims: () => ({ ...claims, sub: accountId }) };
    },
    // A first-party service: the person is not asked to consent to what it reads.
    loadExistingGrant: async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      const client = ctx.oidc.client;
      if (!accountId || !client) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId });
      grant.addOIDCScope(Object.keys(SCOPE_CLAIMS).join(' '));
      await grant.save();
      return grant;
    },
    ttl: { AccessToken: 600, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
  };
  provider = new Provider(issuer, configuration);

  return {
    issuer,
    clientId,
    clientSecret,
    env: { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret },
    accounts,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handleInteraction(
  provider: Provider,
  accounts: Map<string, TestAccountClaims>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (req.method !== 'POST') {
    sendHtml(res, 200, signInPage(details.uid));
    return;
  }
  const form = new URLSearchParams(await readBody(req));
  if (form.get('action') === 'cancel') {
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'The person cancelled signing in.' },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const login = form.get('login')?.trim() ?? '';
  if (!accounts.has(login)) {
    sendHtml(res, 200, signInPage(details.uid, `There is no account called “${escapeHtml(login)}”.`));
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
}

function signInPage(uid: string, error?: string): string {
  return page(
    'Sign in',
    `${error ? `<p role="alert" id="login-error">${error}</p>` : ''}
    <form method="post" action="/interaction/${escapeHtml(uid)}">
      <label for="login">Username</label>
      <input id="login" name="login" autocomplete="username" required${error ? ' aria-describedby="login-error"' : ''}>
      <button type="submit" name="action" value="sign-in">Sign in</button>
      <button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
    </form>`,
  );
}

async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  // `form` is the provider's empty form with its anti-forgery field; the buttons submit it.
  ctx.body = page(
    'Sign out',
    `${form}
    <p>Do you want to sign out of the test identity provider?</p>
    <button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>
    <button type="submit" form="op.logoutForm">No, stay signed in</button>`,
  );
}

async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.body = page('Signed out', '<p>You have signed out of the test identity provider.</p>');
}

function page(title: string, main: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} – test identity provider</title></head><body><main><h1>${title}</h1>${main}</main></body></html>`;
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** A loopback port that nothing listens on just now, for a server whose address must be known first. */
export async function freeLoopbackPort(): Promise<number> {
  const probe: Server = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
