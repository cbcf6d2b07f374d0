import { createSHA256, type IHasher } from 'hash-wasm';

/**
 * Incremental sha256. WebCrypto's `digest` needs the whole input at once; bundle files are verified as
 * their chunks stream in (a weight chunk is never held whole just to hash it), so this wraps hash-wasm.
 */
export interface Sha256 {
  update(bytes: Uint8Array): void;
  /** Lowercase hex; the hasher starts over afterwards. */
  digestHex(): string;
  /** Forgets what was hashed so far. */
  reset(): void;
}

export async function createSha256(): Promise<Sha256> {
  const hasher: IHasher = await createSHA256();
  hasher.init();
  return {
    update: (bytes) => void hasher.update(bytes),
    digestHex: () => {
      const hex = hasher.digest('hex');
      hasher.init();
      return hex;
    },
    reset: () => void hasher.init(),
  };
}

/**
 * Hashes bytes already in memory (a bundle file, an image's file: its hex digest is its id). hash-wasm copies
 * 16 KiB at a time into its heap: no second full copy.
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const hasher = await createSha256();
  hasher.update(bytes);
  return hasher.digestHex();
}

/** Feeds a stream into `hasher` (e.g. the stored part of a file before resuming it). */
export async function hashStream(hasher: Sha256, stream: ReadableStream<Uint8Array>): Promise<number> {
  const reader = stream.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return bytes;
    hasher.update(value);
    bytes += value.byteLength;
  }
}
