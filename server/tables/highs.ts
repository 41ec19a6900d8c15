// highs.ts — loads the HiGHS linear-programming solver (WebAssembly), for the table solvers of
// server/disclosure (audits, suppression) and server/dp (post-processing).
//
// Guarantees: HiGHS is loaded once per process (`loadHighs()` memoises the promise) and the same
// instance is returned to every caller.
import type { Highs } from 'highs';

let highsPromise: Promise<Highs> | undefined;

/** Loads the HiGHS WebAssembly runtime once and returns the shared instance. */
export function loadHighs(): Promise<Highs> {
  highsPromise ??= (async () => {
    const mod = (await import('highs')) as unknown as { default: unknown };
    let loader = mod.default as unknown;
    if (typeof loader !== 'function') loader = (loader as { default: unknown }).default;
    return (loader as () => Promise<Highs>)();
  })();
  return highsPromise;
}
