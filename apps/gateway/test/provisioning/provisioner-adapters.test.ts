import { readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  commandProvisioner,
  ProvisioningError,
  type ProvisionRequest,
  SIGNATURE_HEADER,
  verifySignature,
  webhookProvisioner,
} from '../../src/platform/provisioner/index.ts';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'provisioner.mjs');

const REQUEST: ProvisionRequest = {
  run: { id: 7 },
  order: { id: 12, reference: 'ORD-000012', kind: 'new' },
  product: { code: 'RDS', name: 'Research Data Store', service: 'research' },
  licence: {
    id: 4,
    name: 'Imaging "data"; rm -rf / #',
    sizeTb: 5,
    termYears: 3,
    department: { id: 'PHYS', name: 'Department of Physics' },
    owner: 'ar101',
    managers: ['bm202'],
  },
  projects: [{ id: 9, name: 'imaging-2026', quotaTb: 5, members: [] }],
};

/** Where a test's fixture writes what it was asked; one file per test. */
let logFile = '';
let counter = 0;
afterEach(async () => {
  if (logFile) await rm(logFile, { force: true });
});

function command(mode: string, timeoutSeconds = 10) {
  logFile = path.join(tmpdir(), `ssgw-provisioner-${process.pid}-${++counter}.jsonl`);
  return commandProvisioner({ command: [process.execPath, FIXTURE, mode, logFile], timeoutSeconds });
}

async function calls(): Promise<
  Array<{ action: string; message: Record<string, unknown>; argv: string[]; env: string[] }>
> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

describe('the command provisioner', () => {
  it('sends the request on stdin, never as arguments, and reads the details it prints', async () => {
    process.env.SSGW_TEST_SECRET = 'must not reach the command';
    try {
      const details = await command('succeed').provision(REQUEST);
      expect(details).toEqual({
        quotaTb: 5,
        projects: [
          {
            id: 9,
            path: '/rds/project/imaging-2026',
            shareName: 'imaging-2026',
            groups: ['imaging-2026-managers', 'imaging-2026-users'],
            quotaTb: 5,
          },
        ],
      });
      const [call] = await calls();
      expect(call?.argv).toEqual(['succeed', logFile]);
      expect(call?.message).toEqual({ action: 'provision', request: REQUEST });
      // Only a handful of harmless variables are passed on; none of the gateway's own.
      expect(call?.env).not.toContain('SSGW_TEST_SECRET');
      expect(call?.env.every((name) => ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'].includes(name))).toBe(true);
    } finally {
      delete process.env.SSGW_TEST_SECRET;
    }
  });

  it('fails with stderr as the error and what it had made as the partial details', async () => {
    const error = await command('partial')
      .provision(REQUEST)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProvisioningError);
    const failure = error as ProvisioningError;
    expect(failure.message).toBe(
      'The provisioning command exited with status 3: could not create the groups: directory service refused',
    );
    expect(failure.partial?.projects).toEqual([
      { id: 9, path: '/rds/project/imaging-2026', shareName: 'imaging-2026', groups: [], quotaTb: 5 },
    ]);
  });

  it('undoes by sending the details back with action undo; an undo that fails says so', async () => {
    const provisioner = command('partial');
    const partial = { quotaTb: 5, projects: [{ id: 9, path: '/rds/x', shareName: 'x', groups: [] }] };
    await provisioner.undo(REQUEST, partial);
    expect((await calls()).map((call) => call.message)).toEqual([
      { action: 'undo', request: REQUEST, details: partial },
    ]);
    await expect(command('undo-fails').undo(REQUEST, partial)).rejects.toThrow(
      'The provisioning command exited with status 4: the share is busy',
    );
  });

  it('kills a command that runs past the timeout', async () => {
    const started = Date.now();
    await expect(command('sleep', 1).provision(REQUEST)).rejects.toThrow(
      'The provisioning command did not finish within 1 s.',
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses an answer that is not details, and a command that cannot be run', async () => {
    await expect(command('garbage').provision(REQUEST)).rejects.toThrow('printed no JSON details');
    const missing = commandProvisioner({ command: ['/nonexistent/provision'], timeoutSeconds: 5 });
    await expect(missing.provision(REQUEST)).rejects.toThrow(/could not be run: spawn \/nonexistent\/provision ENOENT/);
  });
});

describe('the webhook provisioner', () => {
  const secret = 'webhook-secret-for-the-test-0123456789';
  let server: Server;
  let url = '';
  let handle: (request: IncomingMessage, body: string, response: ServerResponse) => void = () => {};
  const received: Array<{ body: string; signature: string | undefined; verified: boolean }> = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const signature = request.headers[SIGNATURE_HEADER] as string | undefined;
        received.push({ body, signature, verified: verifySignature(secret, body, signature) });
        handle(request, body, response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/provision`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterEach(() => {
    received.length = 0;
  });

  const json = (response: ServerResponse, status: number, value: unknown) =>
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));

  it('POSTs the signed request and reads the details it answers', async () => {
    handle = (_request, body, response) => {
      const message = JSON.parse(body);
      json(response, 200, {
        quotaTb: 5,
        projects: [{ id: message.request.projects[0].id, path: '/rds/project/p', groups: ['p-users'] }],
      });
    };
    const details = await webhookProvisioner({ url, secret, timeoutSeconds: 5 }).provision(REQUEST);
    expect(details.projects).toEqual([{ id: 9, path: '/rds/project/p', shareName: null, groups: ['p-users'] }]);
    expect(received).toHaveLength(1);
    expect(received[0]?.verified).toBe(true);
    const sent = JSON.parse(received[0]?.body ?? '{}');
    expect(sent).toMatchObject({ action: 'provision', request: REQUEST });
    expect(Date.parse(sent.sentAt)).not.toBeNaN();
  });

  it('fails on a non-2xx with its error and partial details, and undoes through the same URL', async () => {
    const partial = { quotaTb: 5, projects: [{ id: 9, path: '/rds/project/p', shareName: null, groups: [] }] };
    handle = (_request, body, response) => {
      const message = JSON.parse(body);
      if (message.action === 'undo') json(response, 204, {});
      else json(response, 502, { error: 'group service down', partial });
    };
    const provisioner = webhookProvisioner({ url, secret, timeoutSeconds: 5 });
    const error = (await provisioner.provision(REQUEST).catch((e: unknown) => e)) as ProvisioningError;
    expect(error).toBeInstanceOf(ProvisioningError);
    expect(error.message).toBe('The provisioning webhook answered HTTP 502: group service down');
    expect(error.partial).toEqual(partial);
    await provisioner.undo(REQUEST, partial);
    expect(JSON.parse(received[1]?.body ?? '{}')).toMatchObject({ action: 'undo', details: partial });
    expect(received.every((call) => call.verified)).toBe(true);
  });

  it('gives up on a webhook that does not answer in time', async () => {
    handle = () => {};
    const started = Date.now();
    await expect(webhookProvisioner({ url, secret, timeoutSeconds: 1 }).provision(REQUEST)).rejects.toThrow(
      'The provisioning webhook did not answer within 1 s.',
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('follows no redirect, and sends no signature without a secret', async () => {
    handle = (_request, _body, response) => response.writeHead(307, { location: 'http://example.invalid/' }).end();
    await expect(webhookProvisioner({ url, timeoutSeconds: 5 }).provision(REQUEST)).rejects.toThrow(
      /could not be reached/,
    );
    expect(received[0]?.signature).toBeUndefined();
  });
});
