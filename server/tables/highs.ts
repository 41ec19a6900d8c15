// highs.ts — loads the HiGHS linear-programming solver (WebAssembly), for the table solvers of
// server/disclosure (audits, suppression) and server/dp (post-processing).
//
// Guarantees: HiGHS is loaded once per process (`loadHighs()` memoises the promise) and the same
// instance is returned to every caller — until that instance fails as a WebAssembly module (a
// `WebAssembly.RuntimeError`: an abort from a C++ exception, an out-of-bounds access). Such a
// failure can leave the module's memory in any state, so no later answer of it could be trusted:
// the call that met it (any method of a model, of its options, of its info or of its raw API)
// throws as before, and every later `loadHighs()` loads a fresh instance.
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

/** A model's stores of methods (`model.options.set`, `model.info.get`, the raw API): watched too. */
const STORES = new Set<PropertyKey>(['options', 'info', 'raw']);

/** The instance, with every model's methods (and its stores' methods) watched for the module's own failure. */
function guarded(highs: Highs, drop: () => void): Highs {
  const watched = Object.create(highs) as Highs;
  watched.createModel = ((...args: Parameters<Highs['createModel']>) => {
    let model: Model;
    try {
      model = highs.createModel(...args);
    } catch (e) {
      rethrow(e, drop);
    }
    return watch(model, drop, STORES);
  }) as Highs['createModel'];
  return watched;
}

/** `target` with its methods, and the objects named in `stores` (one level down), watched. */
function watch<T extends object>(target: T, drop: () => void, stores?: ReadonlySet<PropertyKey>): T {
  const watchedStores = new WeakMap<object, object>();
  return new Proxy(target, {
    get(t, key) {
      const value = Reflect.get(t, key, t) as unknown;
      // (a proxy must return a fixed own property as it is: only a caller's own replacement is one)
      const own = Reflect.getOwnPropertyDescriptor(t, key);
      if (own && !own.configurable && !own.writable) return value;
      if (stores?.has(key) && typeof value === 'object' && value !== null) {
        let store = watchedStores.get(value);
        if (!store) watchedStores.set(value, (store = watch(value, drop)));
        return store;
      }
      if (typeof value !== 'function') return value;
      return (...callArgs: unknown[]) => {
        try {
          return (value as (...a: unknown[]) => unknown).apply(t, callArgs);
        } catch (e) {
          rethrow(e, drop);
        }
      };
    },
  });
}
