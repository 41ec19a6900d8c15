// highs.ts — loads the HiGHS linear-programming solver (WebAssembly), for the table solvers of
// server/disclosure (audits, suppression) and server/dp (post-processing).
//
// Guarantees: HiGHS is loaded once per process (`loadHighs()` memoises the promise) and the same
// instance is returned to every caller — until that instance fails as a WebAssembly module (a
// `WebAssembly.RuntimeError`: an abort from a C++ exception, an out-of-bounds access). Such a
// failure can leave the module's memory in any state, so no later answer of it could be trusted:
// the call that met it throws as before, and every later `loadHighs()` loads a fresh instance.
// (Errors HiGHS reports in the ordinary way, such as a bad argument, keep the instance.)
import type { Highs, Model } from 'highs';

let current: { promise: Promise<Highs> } | undefined;

/** Loads the HiGHS WebAssembly runtime once and returns the shared instance (see header). */
export function loadHighs(): Promise<Highs> {
  if (!current) {
    const slot = {} as { promise: Promise<Highs> };
    const drop = (): void => {
      if (current === slot) current = undefined;
    };
    slot.promise = (async () => {
      const mod = (await import('highs')) as unknown as { default: unknown };
      let loader = mod.default as unknown;
      if (typeof loader !== 'function') loader = (loader as { default: unknown }).default;
      return guarded(await (loader as () => Promise<Highs>)(), drop);
    })();
    current = slot;
  }
  return current.promise;
}

/** Rethrows `e`, after dropping the instance when `e` is the module's own failure. */
function rethrow(e: unknown, drop: () => void): never {
  if (e instanceof WebAssembly.RuntimeError) drop();
  throw e;
}

/** The instance, with every model's methods watched for the module's own failure. */
function guarded(highs: Highs, drop: () => void): Highs {
  const watched = Object.create(highs) as Highs;
  watched.createModel = ((...args: Parameters<Highs['createModel']>) => {
    let model: Model;
    try {
      model = highs.createModel(...args);
    } catch (e) {
      rethrow(e, drop);
    }
    return new Proxy(model, {
      get(target, key) {
        const value = Reflect.get(target, key, target) as unknown;
        if (typeof value !== 'function') return value;
        // (a proxy must return a fixed own property as it is: only a caller's own replacement is one)
        const own = Reflect.getOwnPropertyDescriptor(target, key);
        if (own && !own.configurable && !own.writable) return value;
        return (...callArgs: unknown[]) => {
          try {
            return (value as (...a: unknown[]) => unknown).apply(target, callArgs);
          } catch (e) {
            rethrow(e, drop);
          }
        };
      },
    });
  }) as Highs['createModel'];
  return watched;
}
