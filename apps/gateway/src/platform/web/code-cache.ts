/**
 * The production entry (src/bundle-main.ts) runs the gateway's bundle with a V8 code cache and,
 * when it had none that V8 would take, leaves here the means to save one. The gateway saves it once
 * it has answered its first request (or, in a role that answers none first, once it listens), so
 * that the cache holds the code of a start and a first request: what the next cold start runs.
 * Run from the sources, or with a cache already taken, there is nothing to save.
 */
const SAVER = Symbol.for('ssgw.saveCodeCache');

type WithSaver = typeof globalThis & { [SAVER]?: () => void };

/** For bundle-main.ts: how this process saves its code cache. */
export function offerCodeCacheSaver(save: () => void): void {
  (globalThis as WithSaver)[SAVER] = save;
}

/** Saves this process's code cache, the first time it is called; after that, and from the sources, nothing. */
export function saveCodeCache(): void {
  const save = (globalThis as WithSaver)[SAVER];
  delete (globalThis as WithSaver)[SAVER];
  save?.();
}
