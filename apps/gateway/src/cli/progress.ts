/** How often a command writes its progress to a log (a pipe, a file) rather than a terminal. */
export const LOG_PROGRESS_MS = 5_000;

export interface ProgressOutput {
  tty: boolean;
  write: (text: string) => void;
  now: () => number;
}

const STDERR: ProgressOutput = {
  tty: Boolean(process.stderr.isTTY),
  write: (text) => process.stderr.write(text),
  now: () => performance.now(),
};

/**
 * The progress of a long command, for the person who started it: one line rewritten in place on a
 * terminal; on a log, the first report, then one every LOG_PROGRESS_MS, and each step's last (its
 * `finished` report), so that a log shows the command moving without a line per row.
 */
export function progressReporter(output: ProgressOutput = STDERR): (text: string, finished?: boolean) => void {
  let lastLogged = Number.NEGATIVE_INFINITY;
  return (text, finished = false) => {
    if (output.tty) {
      output.write(`\r\x1b[2K${text}`);
      return;
    }
    const at = output.now();
    if (!finished && at - lastLogged < LOG_PROGRESS_MS) return;
    lastLogged = at;
    output.write(`${text}\n`);
  };
}
