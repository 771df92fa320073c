import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  commandProvisioner,
  type GroupSyncRequest,
  manualProvisioner,
  ProvisioningError,
  SIGNATURE_HEADER,
  verifySignature,
  webhookProvisioner,
} from '../../src/platform/provisioner/index.ts';
import { FIXTURE } from './provisioning-support.ts';

const REQUEST: GroupSyncRequest = {
  licence: { id: 4, name: 'Imaging', sizeTb: 5, owner: 'ar101', managers: ['bm202'] },
  projects: [
    {
      id: 9,
      name: 'imaging-2026',
      quotaTb: 5,
      status: 'active',
      members: [{ crsid: 'da303', role: 'project-data-user' }],
    },
    { id: 10, name: 'imaging-2027', quotaTb: 1, status: 'pending', members: [] },
  ],
  removedProjects: [{ id: 8, name: 'imaging-2025', path: '/rds/project/imaging-2025' }],
};

let logFile = '';
afterEach(async () => {
  if (logFile) await rm(logFile, { force: true });
});

function command(mode: string) {
  logFile = path.join(tmpdir(), `ssgw-sync-groups-${process.pid}-${Date.now()}.jsonl`);
  return commandProvisioner({ command: [process.execPath, FIXTURE, mode, logFile], timeoutSeconds: 10 });
}

describe('telling the storage system who is in each group (syncGroups)', () => {
  it('does nothing with the manual provisioner', async () => {
    await expect(manualProvisioner.syncGroups(REQUEST)).resolves.toEqual([]);
  });

  it('sends the command {"action": "sync-groups", request} on stdin and reads the pending projects it made', async () => {
    expect(await command('succeed').syncGroups(REQUEST)).toEqual([
      {
        id: 10,
        path: '/rds/project/imaging-2027',
        shareName: 'imaging-2027',
        groups: ['imaging-2027-managers', 'imaging-2027-users'],
        quotaTb: 1,
      },
    ]);
    const lines = (await readFile(logFile, 'utf8')).split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}').message).toEqual({ action: 'sync-groups', request: REQUEST });
  });

  it('fails when the command exits non-zero, with its stderr', async () => {
    const error = await command('partial')
      .syncGroups(REQUEST)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProvisioningError);
    expect((error as Error).message).toContain('directory service refused');
  });

  it('POSTs the signed message to the webhook, and fails on a non-2xx', async () => {
    const sent: Array<{ body: string; signature: string | null }> = [];
    let status = 204;
    const fakeFetch = (async (_url: string, init: RequestInit) => {
      const headers = new Headers(init.headers);
      sent.push({ body: String(init.body), signature: headers.get(SIGNATURE_HEADER) });
      return new Response(status === 204 ? null : JSON.stringify({ error: 'no such group' }), { status });
    }) as typeof fetch;
    const webhook = webhookProvisioner({
      url: 'https://prov.example/',
      secret: 's3cret',
      timeoutSeconds: 5,
      fetch: fakeFetch,
    });
    expect(await webhook.syncGroups(REQUEST)).toEqual([]);
    expect(JSON.parse(sent[0]?.body ?? '{}')).toMatchObject({ action: 'sync-groups', request: REQUEST });
    expect(verifySignature('s3cret', sent[0]?.body ?? '', sent[0]?.signature ?? undefined)).toBe(true);
    status = 500;
    await expect(webhook.syncGroups(REQUEST)).rejects.toThrow('HTTP 500: no such group');
  });

  it('refuses an answer whose projects are not valid', async () => {
    const webhook = webhookProvisioner({
      url: 'https://prov.example/',
      timeoutSeconds: 5,
      fetch: (async () => new Response(JSON.stringify({ projects: [{ id: 10, path: '' }] }))) as typeof fetch,
    });
    await expect(webhook.syncGroups(REQUEST)).rejects.toThrow(/projects\.0\.path/);
  });
});

describe('telling the storage system of a lifecycle step (applyLicenceState)', () => {
  const STATE = {
    state: 'read-only' as const,
    asOf: '2027-03-01',
    licences: [{ id: 4, name: 'Imaging', product: 'RDS', endDate: '2027-02-28' }],
  };

  it('does nothing with the manual provisioner', async () => {
    await expect(manualProvisioner.applyLicenceState(STATE)).resolves.toBeUndefined();
  });

  it('sends the command {"action": "licence-state", request}, and fails with its stderr', async () => {
    await command('succeed').applyLicenceState(STATE);
    const lines = (await readFile(logFile, 'utf8')).split('\n').filter(Boolean);
    expect(JSON.parse(lines[0] ?? '{}').message).toEqual({ action: 'licence-state', request: STATE });
    await expect(command('partial').applyLicenceState(STATE)).rejects.toThrow('directory service refused');
  });

  it('POSTs the signed message to the webhook, and fails on a non-2xx', async () => {
    const sent: string[] = [];
    let status = 204;
    const webhook = webhookProvisioner({
      url: 'https://prov.example/',
      secret: 's3cret',
      timeoutSeconds: 5,
      fetch: (async (_url: string, init: RequestInit) => {
        sent.push(String(init.body));
        expect(
          verifySignature('s3cret', String(init.body), new Headers(init.headers).get(SIGNATURE_HEADER) ?? ''),
        ).toBe(true);
        return new Response(status === 204 ? null : 'tape library offline', { status });
      }) as typeof fetch,
    });
    await webhook.applyLicenceState(STATE);
    expect(JSON.parse(sent[0] ?? '{}')).toMatchObject({ action: 'licence-state', request: STATE });
    status = 503;
    await expect(webhook.applyLicenceState(STATE)).rejects.toThrow('HTTP 503: tape library offline');
  });
});
