import type { Executor } from '../../platform/db/database.ts';

/** Demo IFS vouchers (README lists them): one for Chemistry, one for any department, one already used. */
export const DEMO_VOUCHERS = [
  { code: 'IFS-CHEM-2026', product_code: 'IFS', size_tb: 2, institution_id: 'CHEM', note: 'Initial free quota' },
  { code: 'IFS-WELCOME-01', product_code: 'IFS', size_tb: 1, institution_id: null, note: 'Any department' },
  {
    code: 'IFS-USED-0001',
    product_code: 'IFS',
    size_tb: 1,
    institution_id: null,
    note: 'Already redeemed (demo)',
    redeemed_at: new Date('2026-09-01T09:00:00Z'),
  },
];

export async function seedVouchers(db: Executor): Promise<void> {
  await db
    .insertInto('vouchers')
    .values(DEMO_VOUCHERS)
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
}
