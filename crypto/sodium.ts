// sodium.ts — the one place libsodium is initialised.
//
// Guarantees:
// - `ready()` awaits libsodium's WebAssembly initialisation exactly once (later calls return the
//   same promise) and resolves to the initialised library object.
// - `sodium()` returns that object synchronously, or throws a clear error when `ready()` has not
//   completed yet, instead of the opaque "x is not a function" libsodium gives before init.
//
// Every synchronous function of this module that uses a libsodium primitive (signing, sealing,
// key generation, random bytes) requires `await ready()` once beforehand (the server does it at
// startup, the CLI and browser before their first crypto call). Hashing, encodings, canonical JSON,
// padding, Merkle trees and dedupe tags are pure TypeScript and need no initialisation.
//
// Note: the ESM build of libsodium-wrappers only attaches the crypto functions to its default
// export (the named ESM exports hold just the encoding helpers), so this returns that object.
import libsodium from 'libsodium-wrappers';

/** The initialised libsodium-wrappers object (its default export). */
export type Sodium = typeof libsodium;

let initialised = false;
let pending: Promise<Sodium> | undefined;

/** Initialises libsodium once; resolves to the library. Safe to call any number of times. */
export async function ready(): Promise<Sodium> {
  pending ??= libsodium.ready.then(() => {
    initialised = true;
    return libsodium;
  });
  return pending;
}

/** The initialised library; throws if `await ready()` has not completed. */
export function sodium(): Sodium {
  if (!initialised) {
    throw new Error('libsodium is not initialised: call `await ready()` (crypto/sodium.ts) first');
  }
  return libsodium;
}

/** `n` cryptographically secure random bytes (libsodium's randombytes_buf). Requires `ready()`. */
export function randomBytes(n: number): Uint8Array {
  return sodium().randombytes_buf(n);
}
