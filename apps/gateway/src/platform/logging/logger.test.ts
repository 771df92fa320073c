import { describe, expect, it } from 'vitest';
import { loggerOptions } from './logger.ts';

describe('loggerOptions', () => {
  it('writes plain JSON lines with the level, name and redactions asked for', () => {
    const options = loggerOptions({ logging: { level: 'warn', format: 'json' } }, 'gateway');
    expect(options).toMatchObject({ level: 'warn', name: 'gateway' });
    expect(options.messageKey).toBeUndefined();
  });

  it('formats for Cloud Logging when asked, loading its library on demand', () => {
    const options = loggerOptions({ logging: { level: 'info', format: 'gcp' } }, 'gateway');
    expect(options).toMatchObject({ level: 'info', name: 'gateway', messageKey: 'message' });
    expect(options.formatters?.level?.('error', 50)).toMatchObject({ severity: 'ERROR' });
  });
});
