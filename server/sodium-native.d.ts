// The part of sodium-native (libsodium's native binding, which ships no types) the server uses.
declare module 'sodium-native' {
  const sodium: {
    readonly crypto_sign_BYTES: number;
    /** Writes the 64-byte signature of `message` into `signature`; throws on wrong lengths. */
    crypto_sign_detached(signature: Uint8Array, message: Uint8Array, secretKey: Uint8Array): void;
    /** Whether `signature` is a valid signature of `message` under `publicKey`. */
    crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  };
  export default sodium;
}
