import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingNames as cufsSettingNames, loadCufsConfig } from '../../../cufs/src/config.ts';
import { loadConfig, settingNames } from '../../src/platform/config.ts';

const terraform = path.resolve(import.meta.dirname, '../../../../infra/terraform');
const mainTf = () => readFile(path.join(terraform, 'main.tf'), 'utf8');

/** The text of the `{ … }` block that follows the first match of `opening` (braces counted). */
function block(text: string, opening: RegExp): string {
  const match = opening.exec(text);
  expect(match, `${opening} in main.tf`).not.toBeNull();
  const start = text.indexOf('{', (match?.index ?? 0) + (match?.[0].length ?? 0) - 1);
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) return text.slice(start + 1, i);
  }
  throw new Error(`no end to the block after ${opening}`);
}

/** `NAME = value` attributes of an HCL block (top level only), as name → the value's text. */
function attributes(body: string): Record<string, string> {
  const entries: [string, string][] = [];
  let depth = 0;
  for (const line of body.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match?.[1] && depth === 0) entries.push([match[1], match[2] ?? '']);
    depth += (line.match(/[{[(]/g) ?? []).length - (line.match(/[}\])]/g) ?? []).length;
  }
  return Object.fromEntries(entries);
}

/** Settings that must come from Secret Manager, never a plain variable (visible to any viewer of the service). */
const SECRETS = [
  'DATABASE_URL',
  'SESSION_SECRET',
  'OIDC_CLIENT_SECRET',
  'SMTP_URL',
  'CUFS_TOKEN',
  'LOOKUP_USERNAME',
  'LOOKUP_PASSWORD',
  'PROVISIONER_WEBHOOK_SECRET',
  'METRICS_TOKEN',
];

/**
 * The environment Terraform gives each service, against the names the apps read: a misspelt name
 * is silently ignored (the setting takes its default), so it would only show in production.
 */
describe('the environment Terraform deploys (infra/terraform/main.tf)', () => {
  it("sets, for the gateway's web, worker, migration and nightly jobs, only settings the gateway reads, secrets from Secret Manager", async () => {
    const text = await mainTf();
    const plain = attributes(block(text, /gateway_env = merge\(var\.gateway_extra_env, \{/));
    const secret = {
      ...attributes(block(text, /gateway_secret_env = merge\(\s*\{/)),
      ...attributes(block(text, /lookup_secret_env = \{/)),
    };
    const perService = [...text.matchAll(/merge\(local\.gateway_env, (\{[^}]*\})\)/g)].map((m) =>
      attributes(m[1]?.slice(1, -1).replaceAll(',', '\n') ?? ''),
    );
    expect(perService.length).toBe(4);
    const names = [...Object.keys(plain), ...Object.keys(secret), ...perService.flatMap((env) => Object.keys(env))];
    expect(names.filter((name) => !settingNames.includes(name))).toEqual([]);
    expect(Object.keys(plain).filter((name) => SECRETS.includes(name))).toEqual([]);
    expect(Object.keys(secret).every((name) => SECRETS.includes(name))).toBe(true);
    expect(Object.keys(secret)).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'SESSION_SECRET', 'OIDC_CLIENT_SECRET', 'SMTP_URL', 'CUFS_TOKEN']),
    );
  });

  it('sets for the CUFS service only settings it reads, its database URL and token from Secret Manager', async () => {
    const text = await mainTf();
    const plain = attributes(block(text, /cufs_env = merge\(var\.cufs_extra_env, \{/));
    const secret = attributes(block(text, /cufs_secret_env = \{/));
    const names = [...Object.keys(plain), ...Object.keys(secret)];
    expect(names.filter((name) => !cufsSettingNames.includes(name))).toEqual([]);
    expect(Object.keys(secret).sort()).toEqual(['CUFS_TOKEN', 'DATABASE_URL']);
    expect(Object.keys(plain).filter((name) => SECRETS.includes(name))).toEqual([]);
  });

  it('lets the gateway past Cloud Run’s IAM check on the CUFS service: an ID token for the URL it calls', async () => {
    // cufs has no public invoker, so Cloud Run refuses any request without a Google ID token for
    // the service (401) before CUFS sees its Authorization: Bearer CUFS_TOKEN. The gateway sends
    // one, in X-Serverless-Authorization, only when CUFS_ID_TOKEN_AUDIENCE is set.
    const text = await mainTf();
    const cufs = attributes(block(text, /module "cufs" \{/));
    expect(cufs.ingress).toBe('"INGRESS_TRAFFIC_INTERNAL_ONLY"');
    const invokers = attributes(block(block(text, /module "cufs" \{/), /invokers\s*=\s*\{/).replaceAll(',', '\n'));
    expect(Object.values(invokers)).toEqual(['local.members.web', 'local.members.worker']);
    const plain = attributes(block(text, /gateway_env = merge\(var\.gateway_extra_env, \{/));
    expect(plain.CUFS_URL).toBe('module.cufs.uri');
    expect(plain.CUFS_ID_TOKEN_AUDIENCE).toBe(plain.CUFS_URL);
  });

  it('lets only the scheduler account invoke the internal worker: every task goes to PUBLIC_URL, the web service', async () => {
    const text = await mainTf();
    const worker = block(text, /module "gateway_worker" \{/);
    expect(attributes(worker).ingress).toBe('"INGRESS_TRAFFIC_INTERNAL_ONLY"');
    expect(attributes(block(worker, /invokers = \{/))).toEqual({ scheduler: 'local.members.scheduler_invoker' });
    const dispatcher = await readFile(
      path.resolve(terraform, '../../apps/gateway/src/platform/jobs/cloud-tasks-queue.ts'),
      'utf8',
    );
    expect(dispatcher).toMatch(/url: `\$\{this\.settings\.publicUrl\}\/cloud_tasks\//);
  });

  it('refuses a secret setting among the plain ones, and gives the extra secrets from Secret Manager to both services', async () => {
    // Without gateway_extra_secrets, PROVISIONER_WEBHOOK_SECRET (required in production with the
    // webhook provisioner) or METRICS_TOKEN could only be set as a plain variable.
    const variables = await readFile(path.join(terraform, 'variables.tf'), 'utf8');
    const plainVariable = block(variables, /variable "gateway_extra_env" \{/);
    const refused = /setintersection\(keys\(var\.gateway_extra_env\), (\[[^\]]*\])\)/.exec(plainVariable)?.[1];
    expect((JSON.parse(refused ?? '[]') as string[]).sort()).toEqual([...SECRETS].sort());
    expect(attributes(block(variables, /variable "gateway_extra_secrets" \{/)).type).toBe('list(string)');
    const text = await mainTf();
    expect(text).toContain(
      'extra_secret_keys = { for name in var.gateway_extra_secrets : name => lower(replace(name, "_", "-")) }',
    );
    expect(text).toMatch(
      /\{ for name, key in local\.extra_secret_keys : name => module\.secrets\.ids\[key\] \},?\s*\)/,
    );
    expect(text).toContain(
      '{ for name, key in local.extra_secret_keys : key => { web = local.members.web, worker = local.members.worker } })',
    );
    expect(text).toMatch(/\{ for name, key in local\.extra_secret_keys : key => "\$\{name\} of the gateway/);
  });

  it('refuses every setting that lets production run on a demo part, dev sign-in above all', async () => {
    const variables = await readFile(path.join(terraform, 'variables.tf'), 'utf8');
    const plainVariable = block(variables, /variable "gateway_extra_env" \{/);
    const refused = [...plainVariable.matchAll(/setintersection\(keys\(var\.gateway_extra_env\), (\[[^\]]*\])\)/g)].map(
      (match) => JSON.parse(match[1] ?? '[]') as string[],
    );
    const allowances = settingNames.filter((name) => name.startsWith('ALLOW_'));
    expect(allowances.length).toBeGreaterThanOrEqual(4);
    expect(refused[1]?.sort()).toEqual(['DEV_SIGN_IN', ...allowances].sort());
  });

  it('has the directory sync read Lookup with its credentials from Secret Manager (directory = "lookup", the default)', async () => {
    // Without DIRECTORY the gateway reads its own directory_people table, which nothing in the
    // deployment fills, so the nightly sync would never find a leaver.
    const text = await mainTf();
    const variables = await readFile(path.join(terraform, 'variables.tf'), 'utf8');
    expect(attributes(block(variables, /variable "directory" \{/)).default).toBe('"lookup"');
    const plain = attributes(block(text, /gateway_env = merge\(var\.gateway_extra_env, \{/));
    expect(plain.DIRECTORY).toBe('var.directory');
    expect(attributes(block(text, /lookup_secret_env = \{/))).toEqual({
      LOOKUP_USERNAME: 'module.secrets.ids["lookup-username"]',
      LOOKUP_PASSWORD: 'module.secrets.ids["lookup-password"]',
    });
    expect(text).toMatch(
      /gateway_secret_env = merge\(\s*\{[^}]*\},\s*\{ for name, id in local\.lookup_secret_env : name => id if var\.directory == "lookup" \},/,
    );
    const secrets = block(text, /module "secrets" \{/);
    expect(secrets).toMatch(/"lookup-username"\s*=\s*\{ web = local\.members\.web, worker = local\.members\.worker \}/);
    expect(secrets).toMatch(/"lookup-password"\s*=\s*\{ web = local\.members\.web, worker = local\.members\.worker \}/);
    expect(secrets).toMatch(/^\s*"lookup-username"\s*=\s*"LOOKUP_USERNAME/m);
  });
});

/** The `module "<name>"` blocks of main.tf that use the one-shot job module, by job name. */
function jobs(text: string): Record<string, Record<string, string>> {
  const found: Record<string, Record<string, string>> = {};
  for (const match of text.matchAll(/module "([a-z_]+)" \{/g)) {
    const body = attributes(block(text, new RegExp(`module "${match[1]}" \\{`)));
    if (body.source === '"./modules/migration_job"') found[JSON.parse(body.name ?? '""')] = body;
  }
  return found;
}

/** The source file a script of an image's dist folder is compiled from (tsconfig.build.json: src → dist). */
const sourceOf = (script: string) =>
  path.resolve(terraform, '../..', script.replace('/dist/', '/src/').replace(/\.js$/, '.ts'));

describe('the one-shot Cloud Run jobs (infra/terraform/main.tf)', () => {
  it('migrates with the gateway image’s migrate command, as the worker, with the gateway’s settings', async () => {
    const migrate = jobs(await mainTf())['gateway-migrate'];
    expect(migrate?.image).toBe('local.images.migration');
    expect(migrate?.service_account_email).toBe('local.sa.worker');
    const args = JSON.parse(migrate?.args ?? '[]') as string[];
    expect(args.at(-1)).toBe('apps/gateway/dist/cli/migrate.js');
    await expect(readFile(sourceOf(args.at(-1) ?? ''), 'utf8')).resolves.toContain('migrate');
  });

  it('runs the nightly lifecycle job by hand with the bundled command, as the worker, with the gateway’s settings', async () => {
    // Without it the only way to run a night again in production is a source checkout (npm run nightly needs dist).
    const nightly = jobs(await mainTf())['gateway-nightly'];
    expect(nightly?.image).toBe('local.images.gateway');
    expect(nightly?.service_account_email).toBe('local.sa.worker');
    expect(nightly?.env).toBe('merge(local.gateway_env, { APP_ROLE = "worker" })');
    expect(nightly?.secret_env).toBe('local.gateway_secret_env');
    const [script] = JSON.parse(nightly?.args ?? '[]') as string[];
    expect(script).toBe('apps/gateway/dist/nightly.bundle.js');
    // The bundle the image builds (scripts/bundle-gateway.js) from the command's entry.
    const bundling = await readFile(path.resolve(terraform, '../../scripts/bundle-gateway.js'), 'utf8');
    expect(bundling).toContain(`entryPoints: { 'nightly.bundle': 'src/cli/nightly.ts' }`);
    await expect(readFile(sourceOf('apps/gateway/dist/cli/nightly.js'), 'utf8')).resolves.toContain('nightly-main');
  });

  it('can load CUFS extracts into production: the import command on a bucket mounted where it reads', async () => {
    // Without it CUFS answers every question 503 (no reference data) and no finance code is ever checked.
    const text = await mainTf();
    const load = jobs(text)['cufs-import'];
    expect(load?.image).toBe('local.images.cufs');
    expect(load?.service_account_email).toBe('local.sa.cufs');
    expect(load?.env).toBe('local.cufs_env');
    expect(load?.secret_env).toBe('local.cufs_secret_env');
    const [script, folder] = JSON.parse(load?.args ?? '[]') as string[];
    expect(script).toBe('apps/cufs/dist/cli/import.js');
    await expect(readFile(sourceOf(script ?? ''), 'utf8')).resolves.toContain(
      'runImportCommand(process.argv.slice(2))',
    );
    expect(load?.gcs_volume).toBe(`{ bucket = google_storage_bucket.cufs_extracts.name, mount_path = "${folder}" }`);
    const grant = attributes(block(text, /resource "google_storage_bucket_iam_member" "cufs_reads_extracts" \{/));
    expect(grant).toMatchObject({ role: '"roles/storage.objectViewer"', member: 'local.members.cufs' });
    const bucket = attributes(block(text, /resource "google_storage_bucket" "cufs_extracts" \{/));
    expect(bucket).toMatchObject({ uniform_bucket_level_access: 'true', public_access_prevention: '"enforced"' });
  });
});

/** `name = "value"` lines of a .tfvars file. */
function tfvars(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/^([a-z_]+)\s*=\s*"([^"]*)"/gm)].map((m) => [m[1], m[2]]));
}

describe('the settings Terraform deploys start the apps in production', () => {
  /**
   * Each value of main.tf's environments as it would be in the example environment: variables from
   * terraform.tfvars.example (else their default), the other expressions as Google would fill them.
   * An expression not listed here fails the test, so a new one is looked at.
   */
  async function resolver(): Promise<(expression: string) => string> {
    const example = tfvars(await readFile(path.join(terraform, 'terraform.tfvars.example'), 'utf8'));
    const variables = await readFile(path.join(terraform, 'variables.tf'), 'utf8');
    const database = await readFile(path.join(terraform, 'modules/database/main.tf'), 'utf8');
    const project = example.project_id ?? '';
    const prefix = `ssgw-${example.environment}`;
    const sa = (id: string) => `${prefix}-${id}@${project}.iam.gserviceaccount.com`;
    // The database module's URL template, filled in: the shape both apps must accept.
    const urlTemplate = /=> "(postgresql:\/\/[^"]+)"/.exec(database)?.[1] ?? '';
    const databaseUrl = (db: string) => {
      const fill: Record<string, string> = {
        user: db,
        db,
        'random_password.user[db].result': 'A'.repeat(40),
        'local.socket_dir': `/cloudsql/${project}:europe-west2:${prefix}-pg15`,
      };
      return urlTemplate.replace(/\$\{([^}]+)\}/g, (_, name: string) => fill[name] ?? `<${name}>`);
    };
    const known: Record<string, string> = {
      'local.public_url': `https://${example.domain}`,
      'tostring(var.database_pool_size)': '8',
      'module.tasks_queue.id': `projects/${project}/locations/europe-west2/queues/${prefix}-jobs`,
      'local.sa.tasks_invoker': sa('tasks'),
      'join(",", [local.sa.tasks_invoker, local.sa.scheduler_invoker])': `${sa('tasks')},${sa('scheduler')}`,
      'module.documents.name': `${project}-${prefix}-documents`,
      'module.cufs.uri': 'https://cufs-abcdefghij-nw.a.run.app',
      'module.secrets.ids["gateway-database-url"]': databaseUrl('gateway'),
      'module.secrets.ids["cufs-database-url"]': databaseUrl('cufs'),
      'module.secrets.ids["session-secret"]': 'S'.repeat(64),
      'module.secrets.ids["cufs-token"]': 'T'.repeat(48),
      'module.secrets.ids["oidc-client-secret"]': 'oidc-client-secret-from-the-idp',
      'module.secrets.ids["smtp-url"]': 'smtp://user:pass@relay.example.ac.uk:587',
      'module.secrets.ids["lookup-username"]': 'ssgw-lookup-group',
      'module.secrets.ids["lookup-password"]': 'lookup-group-password',
    };
    return (expression) => {
      const literal = /^"(.*)"$/.exec(expression)?.[1];
      if (literal !== undefined) return literal;
      if (expression in known) return known[expression] as string;
      const variable = /^var\.([a-z_]+)$/.exec(expression)?.[1];
      if (variable && example[variable] !== undefined) return example[variable];
      const fallback = variable && attributes(block(variables, new RegExp(`variable "${variable}" \\{`))).default;
      if (fallback) return JSON.parse(fallback) as string;
      throw new Error(`no example value for ${expression}`);
    };
  }

  it('the gateway, as web and as worker, with the Lookup directory', async () => {
    const text = await mainTf();
    const value = await resolver();
    const common = {
      ...attributes(block(text, /gateway_env = merge\(var\.gateway_extra_env, \{/)),
      ...attributes(block(text, /gateway_secret_env = merge\(\s*\{/)),
      ...attributes(block(text, /lookup_secret_env = \{/)),
    };
    for (const role of ['web', 'worker']) {
      const env = Object.fromEntries(Object.entries(common).map(([name, expression]) => [name, value(expression)]));
      const config = loadConfig({ ...env, APP_ROLE: role, PORT: '8080' });
      expect(config).toMatchObject({
        env: 'production',
        role,
        database: { kind: 'postgres' },
        jobs: { driver: 'cloud-tasks', schedules: 'cloud-scheduler' },
        documents: { driver: 'gcs' },
        mail: { driver: 'smtp' },
        identity: { devSignIn: false },
        directory: { kind: 'lookup', username: 'ssgw-lookup-group' },
        cufs: { url: 'https://cufs-abcdefghij-nw.a.run.app', idTokenAudience: 'https://cufs-abcdefghij-nw.a.run.app' },
      });
      expect(config.jobs.callers.allowed).toHaveLength(2);
      expect(config.jobs.callers.audience).toBe(config.publicUrl);
    }
  });

  it('the CUFS service and its import job', async () => {
    const text = await mainTf();
    const value = await resolver();
    const expressions = {
      ...attributes(block(text, /cufs_env = merge\(var\.cufs_extra_env, \{/)),
      ...attributes(block(text, /cufs_secret_env = \{/)),
    };
    const env = Object.fromEntries(Object.entries(expressions).map(([name, expression]) => [name, value(expression)]));
    expect(loadCufsConfig({ ...env, PORT: '8080' })).toMatchObject({
      env: 'production',
      port: 8080,
      database: { kind: 'postgres' },
      access: { apiTokens: ['T'.repeat(48)] },
    });
  });
});
