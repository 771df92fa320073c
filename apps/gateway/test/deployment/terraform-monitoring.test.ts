import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const terraform = path.resolve(import.meta.dirname, '../../../../infra/terraform');
const monitoringTf = () => readFile(path.join(terraform, 'modules/monitoring/main.tf'), 'utf8');

/** The text of the `{ … }` block that follows the first match of `opening` (braces counted). */
function block(text: string, opening: RegExp): string {
  const match = opening.exec(text);
  expect(match, `${opening} in the monitoring module`).not.toBeNull();
  const start = text.indexOf('{', (match?.index ?? 0) + (match?.[0].length ?? 0) - 1);
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) return text.slice(start + 1, i);
  }
  throw new Error(`no end to the block after ${opening}`);
}

/** Every `resource "TYPE" "NAME" { … }` of the file, as "TYPE.NAME" → its body. */
function resources(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of text.matchAll(/^resource "([a-z_]+)" "([a-z_0-9]+)" \{/gm)) {
    found.set(`${match[1]}.${match[2]}`, block(text.slice(match.index), /^resource [^{]*\{/));
  }
  return found;
}

describe('the alerts Terraform deploys (infra/terraform/modules/monitoring)', () => {
  it('leaves Cloud Tasks and Cloud Scheduler calls out of the website’s 5xx ratio (job failures have their own alert)', async () => {
    // A failing task answers 500 on every attempt; at night one failing task would be the whole
    // ratio and page someone to look at the database. Cloud Run's request_count metric has no
    // path, so the ratio counts the request log without /cloud_tasks/ and /cron/.
    const text = await monitoringTf();
    const all = resources(text);
    const policy = all.get('google_monitoring_alert_policy.web_5xx');
    expect(policy).toBeDefined();
    const query = /query\s*=\s*<<-EOT\n([\s\S]*?)\n\s*EOT/.exec(policy ?? '')?.[1] ?? '';
    expect(query).not.toContain('run_googleapis_com:request_count');
    const metricNames = [...query.matchAll(/logging_googleapis_com:user_([a-z_${}().,"\- ]+?)\{/g)].map((m) => m[1]);
    expect(metricNames.length).toBeGreaterThan(0);
    const metrics = [...all.entries()].filter(([key]) => key.startsWith('google_logging_metric.'));
    for (const [key, body] of metrics) {
      if (!/web_requests/.test(key)) continue;
      const filter = /filter\s*=\s*<<-EOT\n([\s\S]*?)\n\s*EOT/.exec(body)?.[1] ?? '';
      expect(filter).toContain('log_id("run.googleapis.com/requests")');
      expect(filter).toMatch(/NOT httpRequest\.requestUrl:"\/cloud_tasks\/"/);
      expect(filter).toMatch(/NOT httpRequest\.requestUrl:"\/cron\/"/);
      expect(filter).toContain(`resource.labels.service_name="\${var.web_service}"`);
    }
    expect(metrics.some(([key]) => /web_requests/.test(key))).toBe(true);
    // The job-failure alert still counts failed Cloud Tasks attempts.
    expect(all.get('google_logging_metric.job_failures')).toContain('resource.type="cloud_tasks_queue"');
  });

  it('sets notification_rate_limit only on log-match policies (the Monitoring API ignores it elsewhere)', async () => {
    const text = await monitoringTf();
    for (const [key, body] of resources(text)) {
      if (!key.startsWith('google_monitoring_alert_policy.')) continue;
      if (/notification_rate_limit\s*\{/.test(body)) expect(body, key).toMatch(/condition_matched_log\s*\{/);
    }
  });

  it.skipIf(!existsSync('/usr/local/bin/terraform'))('is formatted as `terraform fmt` writes it', async () => {
    const run = promisify(execFile);
    const result = await run('/usr/local/bin/terraform', ['fmt', '-check', '-recursive'], { cwd: terraform }).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    expect(result).toEqual({ code: 0, stdout: '' });
  });
});
