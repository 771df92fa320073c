const tbFormat = new Intl.NumberFormat('en-GB');

/** A size in whole TB for people to read, the only wording of one: 10000 → "10,000 TB". */
export function sizeText(tb: number): string {
  return `${tbFormat.format(tb)} TB`;
}
