import type { BundleManifest } from '../../core/bundle/manifest.ts';
import { sha256Hex } from '../../core/sha256.ts';

/**
 * The cache's name for a bundle: a digest of its file list (path, size, sha256). The same bytes from two
 * hosts (a mirror, a re-upload) share one cached copy; a re-converted bundle with any changed file is a new
 * entry, so a stale weight file can never be mixed with a new graph. Where it came from is kept in the index.
 */
export async function bundleCacheKey(manifest: BundleManifest): Promise<string> {
  const lines = [...manifest.files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((file) => `${file.path}\t${file.bytes}\t${file.sha256}\n`)
    .join('');
  // 128 bits: a folder name, not a security boundary (every file is still checked against its own sha256).
  return (await sha256Hex(new TextEncoder().encode(lines))).slice(0, 32);
}

/** OPFS names may not contain "/" (nor be "." or ".."): one flat, reversible name per bundle path. */
export function storedFileName(path: string): string {
  return encodeURIComponent(path);
}

export function pathOfStoredFile(name: string): string {
  return decodeURIComponent(name);
}
