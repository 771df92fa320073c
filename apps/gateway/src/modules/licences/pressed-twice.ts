import { formatInstant } from '../quotes/quote-rules.ts';

/**
 * A button pressed twice (a double click, or the browser sending a form again): two identical
 * requests, the browser showing the answer to the second. The first makes the change; the second
 * finds it made and, unanswered, would show an error page ("already …") after a change that
 * succeeded. So a request that asks for exactly what the same person asked for moments ago, and
 * finds it already so, is answered as the first was. Anyone else, or the same person later (a
 * stale page), is refused as before, told who made the change and when. Pure.
 */

/** How long after a change the same request again, by the same person, is taken as the button pressed twice. */
export const PRESSED_TWICE_SECONDS = 120;

/** An earlier change as its refusal names it: who made it (their person id, if a person did) and when. */
export interface EarlierChange {
  personId: number | null;
  /** Their name, as the pages name people ("Rosa Storage"). */
  name: string;
  at: Date;
  /** Made within PRESSED_TWICE_SECONDS of now (by the database's clock, or the app's: see each caller). */
  justNow: boolean;
}

/** Whether `earlier` is this person's own change of a moment ago: a second request is then answered as the first. */
export function pressedTwice(earlier: EarlierChange | undefined, person: { id: number }): boolean {
  return earlier?.justNow === true && earlier.personId === person.id;
}

/**
 * Whether a change made at `at` was made moments before `now` (the same clock's; a moment after
 * too, read on another process whose clock is a little behind).
 */
export function isJustNow(at: Date, now: Date): boolean {
  return Math.abs(now.getTime() - at.getTime()) <= PRESSED_TWICE_SECONDS * 1000;
}

/** "by Rosa Storage on 27 November 2026 at 10:04", or "by you on …" to the person who made it. */
export function byWhomAndWhen(
  earlier: Pick<EarlierChange, 'personId' | 'name' | 'at'>,
  person: { id: number },
): string {
  return `by ${earlier.personId === person.id ? 'you' : earlier.name} on ${formatInstant(earlier.at)}`;
}
