/**
 * SHA-256 of some bytes as lowercase hex: the one identity of an image file, computed once where its bytes are
 * first read (the page when a file is dropped; the engine only for callers that did not give one). WebCrypto
 * exists in pages, workers and Node alike.
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
