import { describe, expect, it } from 'vitest';
import { LOG_PROGRESS_MS, progressReporter } from './progress.ts';

function output(tty: boolean) {
  const written: string[] = [];
  const clock = { at: 0 };
  return {
    written,
    clock,
    report: progressReporter({ tty, write: (text) => written.push(text), now: () => clock.at }),
  };
}

describe('a command’s progress', () => {
  it('rewrites one line on a terminal, every report', () => {
    const { written, report } = output(true);
    report('read 1 rows');
    report('read 2 rows');
    expect(written).toEqual(['\r\x1b[2Kread 1 rows', '\r\x1b[2Kread 2 rows']);
  });

  it('writes to a log the first report, one every few seconds and each step’s last, a line each', () => {
    const { written, clock, report } = output(false);
    report('read 1,000 rows');
    clock.at = LOG_PROGRESS_MS - 1;
    report('read 2,000 rows');
    clock.at = LOG_PROGRESS_MS;
    report('read 3,000 rows');
    clock.at = LOG_PROGRESS_MS + 1;
    report('read 3,500 rows', true);
    report('writing: 0/3500 readings');
    expect(written).toEqual(['read 1,000 rows\n', 'read 3,000 rows\n', 'read 3,500 rows\n']);
  });
});
