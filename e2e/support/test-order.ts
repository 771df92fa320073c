import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Every project's files share one pool of two workers. A browser journey takes 10 to 60 s, the
 * other files a few seconds each: Vitest's order (slowest first, by the last run or else by file
 * size, a project at a time) would leave the journeys until last, run one after another with the
 * second core idle. This keeps that order for the rest and places the journeys at even intervals
 * from the start of the list, so that one worker is in a journey while the other works through
 * the quicker files, and two journeys seldom run at once.
 */
export class JourneysSpreadSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const journeys = sorted.filter((spec) => spec.project.name === 'e2e');
    const rest = sorted.filter((spec) => spec.project.name !== 'e2e');
    // Journey k goes before the rest's file at k × every (the first one first of all).
    const every = rest.length / journeys.length;
    const order: TestSpecification[] = [];
    let next = 0;
    rest.forEach((spec, index) => {
      while (next < journeys.length && index >= Math.round(next * every))
        order.push(journeys[next++] as TestSpecification);
      order.push(spec);
    });
    return [...order, ...journeys.slice(next)];
  }
}
