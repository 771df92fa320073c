import { describe, expect, it } from 'vitest';
import { PRODUCTION_READY, problemsOf } from '../../../test/support/production-settings.ts';
import { loadConfig } from '../config.ts';
import { createProvisioner } from './index.ts';
import { ProvisioningError, parseProvisionedDetails, partialDetailsFrom } from './provisioner.ts';

describe('provisioner configuration', () => {
  it('is manual unless told otherwise', () => {
    expect(loadConfig({}).provisioner).toEqual({ kind: 'manual' });
    expect(createProvisioner({ kind: 'manual' })).toMatchObject({ kind: 'manual', automatic: false });
  });

  it('splits the command at spaces, with no shell and no quoting', () => {
    const config = loadConfig({
      PROVISIONER: 'command',
      PROVISIONER_COMMAND: ' /usr/local/bin/provision  --site rds ',
      PROVISIONER_TIMEOUT_SECONDS: '30',
    });
    expect(config.provisioner).toEqual({
      kind: 'command',
      command: ['/usr/local/bin/provision', '--site', 'rds'],
      timeoutSeconds: 30,
    });
    expect(createProvisioner(config.provisioner)).toMatchObject({ kind: 'command', automatic: true });
  });

  it('reads the webhook, its secret and a timeout that defaults to two minutes', () => {
    const config = loadConfig({
      PROVISIONER: 'webhook',
      PROVISIONER_WEBHOOK_URL: 'https://provisioner.internal/hook',
      PROVISIONER_WEBHOOK_SECRET: 's'.repeat(32),
    });
    expect(config.provisioner).toEqual({
      kind: 'webhook',
      url: 'https://provisioner.internal/hook',
      secret: 's'.repeat(32),
      timeoutSeconds: 120,
    });
    expect(createProvisioner(config.provisioner)).toMatchObject({ kind: 'webhook', automatic: true });
  });

  it('asks for what the chosen provisioner needs', () => {
    expect(problemsOf({ PROVISIONER: 'command' })).toEqual([
      'PROVISIONER_COMMAND: required when PROVISIONER is command',
    ]);
    expect(problemsOf({ PROVISIONER: 'webhook' })).toEqual([
      'PROVISIONER_WEBHOOK_URL: required when PROVISIONER is webhook',
    ]);
    expect(problemsOf({ PROVISIONER: 'ansible' }).some((p) => p.startsWith('PROVISIONER:'))).toBe(true);
    expect(problemsOf({ PROVISIONER_TIMEOUT_SECONDS: '0' }).some((p) => p.startsWith('PROVISIONER_TIMEOUT'))).toBe(
      true,
    );
    expect(
      problemsOf({ PROVISIONER: 'webhook', PROVISIONER_WEBHOOK_URL: 'ftp://x/y' }).some((p) =>
        p.startsWith('PROVISIONER_WEBHOOK_URL:'),
      ),
    ).toBe(true);
  });

  it('refuses a webhook without a secret in production, and accepts one with', () => {
    const webhook = { PROVISIONER: 'webhook', PROVISIONER_WEBHOOK_URL: 'https://provisioner.internal/hook' };
    expect(problemsOf({ ...PRODUCTION_READY, ...webhook })).toEqual([
      'PROVISIONER_WEBHOOK_SECRET: required in production with the webhook provisioner, at least 32 characters',
    ]);
    expect(problemsOf({ ...PRODUCTION_READY, ...webhook, PROVISIONER_WEBHOOK_SECRET: 'short' })).toHaveLength(1);
    expect(problemsOf({ ...PRODUCTION_READY, ...webhook, PROVISIONER_WEBHOOK_SECRET: 'k'.repeat(32) })).toEqual([]);
    // Outside production a webhook may go unsigned (a local test receiver).
    expect(problemsOf(webhook)).toEqual([]);
  });
});

describe("a provisioner's answer", () => {
  const details = { quotaTb: 5, projects: [{ id: 3, path: '/rds/p/x', shareName: null, groups: ['rds-x'] }] };

  it('parses details, filling in what may be left out', () => {
    expect(parseProvisionedDetails({ quotaTb: 5, projects: [{ id: 3, path: '/rds/p/x' }] }, 'command')).toEqual({
      quotaTb: 5,
      projects: [{ id: 3, path: '/rds/p/x', shareName: null, groups: [] }],
    });
  });

  it('refuses details that are not, naming the first problem', () => {
    expect(() => parseProvisionedDetails({ projects: [] }, 'provisioning command')).toThrow(ProvisioningError);
    expect(() => parseProvisionedDetails({ ...details, projects: [{ id: 3, path: '' }] }, 'x')).toThrow(
      /projects\.0\.path/,
    );
    expect(() =>
      parseProvisionedDetails({ ...details, projects: [{ id: 3, path: '/x', groups: ['bad group'] }] }, 'x'),
    ).toThrow(/not a group name/);
  });

  it('finds what a failed provisioner made, bare or as { partial }, and nothing in anything else', () => {
    expect(partialDetailsFrom(details)).toEqual(details);
    expect(partialDetailsFrom({ error: 'groups failed', partial: details })).toEqual(details);
    expect(partialDetailsFrom({ error: 'groups failed' })).toBeNull();
    expect(partialDetailsFrom(undefined)).toBeNull();
    expect(partialDetailsFrom('made /rds/p/x')).toBeNull();
  });
});
