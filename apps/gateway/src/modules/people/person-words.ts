/** How a person is named on pages and in emails: "Ben Manager (bm202)". */
export function personWords(person: { displayName: string; crsid: string }): string {
  return `${person.displayName} (${person.crsid})`;
}

/** People named so, separated by commas; empty for none. */
export function peopleWords(people: ReadonlyArray<{ displayName: string; crsid: string }>): string {
  return people.map(personWords).join(', ');
}
