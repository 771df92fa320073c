// What both benchmarks of `npm run bench` share, ours (run.ts) and the original technology's
// (original.ts): the log, the database server, wrk, starting a server and polling it, the figures.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

export const serverUrl =
  process.env.DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const DURATION = Number(process.env.BENCH_DURATION ?? 20);
export const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 5);
/** Everything logged, for the results file. */
export const output: string[] = [];

export function log(message = ''): void {
  output.push(message);
  process.stdout.write(`${message}\n`);
}

/** The machine's load average over 1, 5 and 15 minutes, printed beside each measure. */
export const loadAverage = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

export function step(title: string): void {
  log('');
  log(`== ${title}`);
}

/** Runs `statement` (CREATE or DROP DATABASE) on the server of `server`. */
export async function admin(statement: string, server = serverUrl): Promise<void> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** The URL of database `name` on the server of `server`. */
export function databaseUrl(name: string, server = serverUrl): string {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Whether `what` is here (`runs`); if not, says which Debian packages bring it and, as root with
 * apt, installs them (the machine's image has neither wrk nor Django).
 */
export function ensureInstalled(what: string, runs: () => boolean, packages: string[]): boolean {
  if (runs()) return true;
  log(`${what} is not installed. Install it with: apt-get install -y ${packages.join(' ')}`);
  const apt = spawnSync('apt-get', ['--version']).error === undefined;
  if (process.getuid?.() === 0 && apt) {
    log(`Running as root with apt: installing ${packages.join(' ')} …`);
    const install = spawnSync('apt-get', ['install', '-y', ...packages], { stdio: 'inherit' });
    if (install.status !== 0)
      spawnSync('sh', ['-c', `apt-get update && apt-get install -y ${packages.join(' ')}`], { stdio: 'inherit' });
    return runs();
  }
  return false;
}

export interface WrkResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: string;
  raw: string;
}

function toMs(value: string): number {
  const match = value.match(/^([\d.]+)(us|ms|s|m)$/);
  if (!match) return Number.NaN;
  const n = Number(match[1]);
  return match[2] === 'us' ? n / 1000 : match[2] === 'ms' ? n : match[2] === 's' ? n * 1000 : n * 60_000;
}

export async function runWrk(url: string, cookie: string, seconds: number): Promise<WrkResult> {
  const raw = await new Promise<string>((resolve, reject) => {
    const child = spawn('wrk', ['-t2', '-c32', `-d${seconds}s`, '--latency', '-H', `Cookie: ${cookie}`, url]);
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', () => resolve(text));
  });
  const requestsPerSecond = Number(raw.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? Number.NaN);
  const p50 = raw.match(/^\s+50%\s+(\S+)/m)?.[1] ?? '';
  const p99 = raw.match(/^\s+99%\s+(\S+)/m)?.[1] ?? '';
  const requests = Number(raw.match(/(\d+) requests in/)?.[1] ?? 0);
  const errors = [raw.match(/Socket errors:.*$/m)?.[0], raw.match(/Non-2xx or 3xx responses: \d+/)?.[0]]
    .filter(Boolean)
    .join('; ');
  return { requestsPerSecond, p50Ms: toMs(p50), p99Ms: toMs(p99), requests, errors, raw };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A server process the benchmark started: ours, the floor, or the original. */
export interface ServerProcess {
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

export function startProcess(command: string, args: string[], env: Record<string, string>, cwd: string): ServerProcess {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  return {
    child,
    stderr: () => stderr,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

export async function waitFor200(
  url: string,
  cookie: string,
  server: ServerProcess,
  timeoutMs: number,
): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (server.child.exitCode !== null) throw new Error(`the server exited: ${server.stderr()}`);
    try {
      const response = await fetch(url, { headers: { cookie }, redirect: 'manual' });
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no 200 from ${url} within ${timeoutMs} ms: ${server.stderr()}`);
}

/**
 * CPU time a process has used so far (user + system, all its threads), from /proc on Linux: at the
 * first 200 it says how much work a cold start is, which walls measured under load do not.
 */
export function cpuTimeMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime, in clock ticks of 10 ms (fields 14 and 15 of proc(5)).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '—';
