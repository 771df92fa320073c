import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../platform/config.ts';
import { DEFAULT_LIFECYCLE_SETTINGS } from './lifecycle-dates.ts';

describe('lifecycle settings', () => {
  it('default to DESIGN: reminders 60, 30 and 7 days before; read-only after the end date; cold 30 days; deletable 6 months', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).lifecycle).toEqual(DEFAULT_LIFECYCLE_SETTINGS);
  });

  it('read reminder days as a list, largest first, without repeats', () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      REMINDER_DAYS: ' 14, 90,14 ,1',
      SUSPEND_AFTER_DAYS: '3',
      COLD_AFTER_DAYS: '45',
      DELETABLE_AFTER_MONTHS: '12',
    });
    expect(config.lifecycle).toEqual({
      reminderDays: [90, 14, 1],
      // Renewal opens with the first reminder unless set.
      renewalOpensDaysBeforeEnd: 90,
      suspendAfterDays: 3,
      coldAfterDays: 45,
      deletableAfterMonths: 12,
    });
  });

  it.each(['', '60,,7', '0', '-7', 'sixty', '7.5', '400'])('refuse REMINDER_DAYS=%j', (value) => {
    expect(() => loadConfig({ NODE_ENV: 'test', REMINDER_DAYS: value })).toThrow(ConfigError);
  });

  it('open renewal RENEWAL_OPENS_DAYS_BEFORE_END days before the end date, never after the first reminder', () => {
    expect(
      loadConfig({ NODE_ENV: 'test', RENEWAL_OPENS_DAYS_BEFORE_END: '90' }).lifecycle.renewalOpensDaysBeforeEnd,
    ).toBe(90);
    // A reminder 60 days before asks people to renew: renewal cannot open later than that.
    expect(() => loadConfig({ NODE_ENV: 'test', RENEWAL_OPENS_DAYS_BEFORE_END: '30' })).toThrow(
      /RENEWAL_OPENS_DAYS_BEFORE_END/,
    );
    expect(() => loadConfig({ NODE_ENV: 'test', RENEWAL_OPENS_DAYS_BEFORE_END: '0' })).toThrow(ConfigError);
  });

  it('refuse a cold store before the end date, or no months to deletion', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', COLD_AFTER_DAYS: '0' })).toThrow(/COLD_AFTER_DAYS/);
    expect(() => loadConfig({ NODE_ENV: 'test', DELETABLE_AFTER_MONTHS: '0' })).toThrow(/DELETABLE_AFTER_MONTHS/);
  });
});
