/** What the licence pages say while a licence's finance code is flagged as closed. */
export function closedCodeWarning(detail: string, contactEmail: string): string {
  return `${detail} Contact ${contactEmail} to give another finance code for this storage.`;
}
