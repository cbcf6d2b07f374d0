/**
 * The sentence embedder of the detailed-answer confidence, across the engine boundary.
 * Plain, structured-cloneable data, as every type of the engine boundary (api.ts).
 */
import type { LoadProgress } from '../bundle/bundleFiles.ts';
import type { LocalFile } from '../bundle/localFolder.ts';

/**
 * Where the sentence embedder comes from: a folder prefix on a web server (downloaded into the cache), a picked or
 * dropped folder (read in place), a copy in the cache, or (Node tools only) a folder path.
 */
export type EmbedderSource =
  | { kind: 'url'; url: string }
  | { kind: 'files'; files: ReadonlyArray<LocalFile> }
  | { kind: 'cache'; key: string }
  | { kind: 'path'; path: string };

export interface EmbedderInfo {
  /** Where it was loaded from, for messages: the URL prefix, the folder's name or path. */
  source: string;
  /** Bytes of its files. */
  bytes: number;
  /** The cache's key when it was read from (or downloaded into) the cache; null for a folder. */
  cacheKey: string | null;
  loadMs: number;
}

/** Download (or read) progress of the sentence embedder's files, as a bundle's. */
export type EmbedderLoadEvent = { type: 'progress'; progress: LoadProgress };

/** One sentence embedder in the cache; open it with `loadEmbedder({ kind: 'cache', key })`. */
export interface CachedEmbedder {
  key: string;
  /** The URL prefix it was downloaded from. */
  url: string;
  /** Bytes on disk, a partial download included. */
  bytesStored: number;
  /** Whether every file is stored whole (only then does it load from the cache). */
  complete: boolean;
  /** ISO date of the last load. */
  lastUsedAt: string;
}
