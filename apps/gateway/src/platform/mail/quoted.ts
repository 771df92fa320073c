/**
 * A name quoted as the site's pages and emails quote one, in curly quotes: “Quantum imaging data”.
 * Every email that quotes a licence's or a project's name uses it, so one email never mixes
 * “these” with "those".
 */
export function quoted(name: string): string {
  return `“${name}”`;
}
