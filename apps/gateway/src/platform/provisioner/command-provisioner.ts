import { spawn } from 'node:child_process';
import {
  boundedMessage,
  type GroupSyncRequest,
  type LicenceStateRequest,
  type ProjectMade,
  type ProvisionedDetails,
  type Provisioner,
  type ProvisionerMessage,
  ProvisioningError,
  type ProvisionRequest,
  parseProjectsMade,
  parseProvisionedDetails,
  partialDetailsFrom,
} from './provisioner.ts';

/** More than any honest answer: a command that writes more is stopped. */
const MAX_OUTPUT_BYTES = 1_048_576;

/** The only variables the command inherits: never the gateway's own secrets (database, sessions, tokens). */
const PASSED_ENVIRONMENT = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'];

export interface CommandOptions {
  /** The executable and its fixed arguments, from configuration; the request never becomes an argument. */
  command: string[];
  timeoutSeconds: number;
}

/**
 * Runs a configured executable, without a shell, once per step. It reads the message as JSON on
 * stdin (`{"action":"provision","request":{…}}` or `{"action":"undo","request":{…},"details":{…}}`, or
 * `{"action":"sync-groups","request":{licence, projects}}` after a change of people or projects, or
 * `{"action":"licence-state","request":{state, asOf, licences}}` for the nightly lifecycle steps)
 * and, for provision, prints the details it made as JSON on stdout and exits 0 (for sync-groups,
 * `{"projects": […]}` with what it made of the pending projects, or nothing). A non-zero exit is
 * a failure whose stderr is the error; what stdout holds then (the details made so far) is undone.
 * A command that runs past the timeout is killed with its whole process group.
 */
export function commandProvisioner(options: CommandOptions): Provisioner {
  if (options.command.length === 0) throw new Error('the command provisioner needs a command');
  return {
    kind: 'command',
    automatic: true,
    async provision(request: ProvisionRequest): Promise<ProvisionedDetails> {
      const result = await runCommand(options, { action: 'provision', request });
      if (result.exitCode !== 0) {
        throw new ProvisioningError(failureMessage(result), partialDetailsFrom(parseJson(result.stdout)));
      }
      const answer = parseJson(result.stdout);
      if (answer === undefined) throw new ProvisioningError('The provisioning command printed no JSON details.');
      return parseProvisionedDetails(answer, 'provisioning command');
    },
    async undo(request: ProvisionRequest, details: ProvisionedDetails): Promise<void> {
      const result = await runCommand(options, { action: 'undo', request, details });
      if (result.exitCode !== 0) throw new ProvisioningError(failureMessage(result));
    },
    async syncGroups(request: GroupSyncRequest): Promise<ProjectMade[]> {
      const result = await runCommand(options, { action: 'sync-groups', request });
      if (result.exitCode !== 0) throw new ProvisioningError(failureMessage(result));
      if (result.stdout.trim() !== '' && parseJson(result.stdout) === undefined) {
        throw new ProvisioningError('The provisioning command answered sync-groups with something that is not JSON.');
      }
      return parseProjectsMade(parseJson(result.stdout), 'provisioning command');
    },
    async applyLicenceState(request: LicenceStateRequest): Promise<void> {
      const result = await runCommand(options, { action: 'licence-state', request });
      if (result.exitCode !== 0) throw new ProvisioningError(failureMessage(result));
    },
  };
}

interface CommandResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function failureMessage(result: CommandResult): string {
  const how = result.exitCode === null ? `was stopped by ${result.signal}` : `exited with status ${result.exitCode}`;
  const stderr = boundedMessage(result.stderr);
  return stderr ? `The provisioning command ${how}: ${stderr}` : `The provisioning command ${how}.`;
}

function parseJson(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function runCommand(options: CommandOptions, message: ProvisionerMessage): Promise<CommandResult> {
  const [executable, ...args] = options.command as [string, ...string[]];
  const env = Object.fromEntries(
    PASSED_ENVIRONMENT.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])),
  );
  return new Promise((resolve, reject) => {
    // detached: the command leads a process group of its own, so a timeout kills what it started too.
    const child = spawn(executable, args, { shell: false, detached: true, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      killGroup();
      finish(() =>
        reject(new ProvisioningError(`The provisioning command did not finish within ${options.timeoutSeconds} s.`)),
      );
    }, options.timeoutSeconds * 1000);
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) {
        killGroup();
        finish(() => reject(new ProvisioningError('The provisioning command wrote more than 1 MB of output.')));
        return;
      }
      into.push(chunk);
    };
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));
    child.on('error', (error) =>
      finish(() => reject(new ProvisioningError(`The provisioning command could not be run: ${error.message}`))),
    );
    child.on('close', (exitCode, signal) =>
      finish(() =>
        resolve({
          exitCode,
          signal,
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
        }),
      ),
    );
    // A command that exits without reading its input is judged by its exit status, not by EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(message));
  });
}
