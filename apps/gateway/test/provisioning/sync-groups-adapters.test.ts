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
  projects: [{ id: 9, name: 'imaging-2026', quotaTb: 5, members: [{ crsid: 'da303', role: 'project-data-user' }] }],
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
    await expect(manualProvisioner.syncGroups(REQUEST)).resolves.toBeUndefined();
  });

  it('sends the command {"action": "sync-groups", request} on stdin', async () => {
    await command('succeed').syncGroups(REQUEST);
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
    await webhook.syncGroups(REQUEST);
    expect(JSON.parse(sent[0]?.body ?? '{}')).toMatchObject({ action: 'sync-groups', request: REQUEST });
    expect(verifySignature('s3cret', sent[0]?.body ?? '', sent[0]?.signature ?? undefined)).toBe(true);
    status = 500;
    await expect(webhook.syncGroups(REQUEST)).rejects.toThrow('HTTP 500: no such group');
  });
});
