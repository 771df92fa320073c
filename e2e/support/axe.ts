import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

type Violation = Awaited<ReturnType<AxeBuilder['analyze']>>['violations'][number];

/** WCAG 2.0, 2.1 and 2.2 at levels A and AA: what DESIGN.md §6 promises. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

/** One line per offending element, so a failure says what to fix and where. */
export function describeViolations(violations: Violation[]): string {
  return violations
    .map((violation) => {
      const nodes = violation.nodes
        .map((node) => {
          const where = node.target.map(String).join(' ');
          const why = node.failureSummary?.replace(/:\s*\n\s*/g, ': ').replace(/\s*\n\s*/g, '; ') ?? '';
          return `      at ${where}\n         ${why}`;
        })
        .join('\n');
      return `  [${violation.impact ?? 'unknown'}] ${violation.id}: ${violation.help}\n    ${violation.helpUrl}\n${nodes}`;
    })
    .join('\n');
}

/**
 * Runs axe-core on the page as it is now and throws, listing every violation, if there is any.
 * `label` names the page in the message (e.g. "catalogue"). axe-core runs inside the page, so it
 * needs a context with JavaScript enabled (in one without, it never returns).
 */
export async function expectNoAxeViolations(page: Page, label = page.url()): Promise<void> {
  const results = await new AxeBuilder({ page })
    // Only the violations are read: axe-core then keeps one node of each other result instead of
    // describing (selectors and all) every element that passed.
    .options({ resultTypes: ['violations'] })
    .withTags(WCAG_TAGS)
    // axe.run() in the page itself. By default the library runs axe.runPartial() there, sends every
    // result (passes included) to Node and on to a new blank tab, where axe-core is injected again
    // to run finishRun(): two to three times the CPU per page. The one difference, no checking of
    // cross-origin frames, does not arise: our pages have none (the one frame, an email's HTML in
    // the dev outbox viewer, is same-origin and never checked).
    .setLegacyMode(true)
    .analyze();
  if (results.violations.length > 0) {
    throw new Error(
      `axe-core found ${results.violations.length} accessibility violation(s) on ${label} (${page.url()}):\n` +
        describeViolations(results.violations),
    );
  }
}
