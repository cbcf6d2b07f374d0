import type { BundleManifest } from './manifest.ts';

/**
 * A web bundle whose manifest has been validated, with access to its files. In the browser the loader
 * implements it over the download cache (every file verified against the manifest's sha256 before it is
 * handed out); in Node, over a folder. The engine reads graphs, weights and the tokenizer only through it.
 */
export interface BundleFiles {
  manifest: BundleManifest;
  /** Where the bundle came from, for messages (a URL prefix, a folder name, "cache"). */
  label: string;
  /** The download cache's key when the files are read from it; null or absent for a folder read in place. */
  cacheKey?: string | null;
  /** The bytes of one file listed in the manifest, by its manifest path (e.g. "onnx/decoder_model_merged_q4.onnx"). */
  read(path: string): Promise<Uint8Array>;
  /**
   * Synchronous reads of parts of one file, for external-data chunks that onnxruntime reads one initializer at a
   * time (so a multi-gigabyte chunk is never held whole in JS memory). The file is verified (as `read` would)
   * before this resolves. Absent where synchronous reads do not exist (a page's main thread): `read` is used.
   */
  openSlices?(path: string): Promise<FileSlices>;
  /**
   * Where one file lies on this machine's disk (an absolute path), for a runtime that reads a graph's files itself:
   * onnxruntime-node opens a graph from its .onnx path and reads the external-data chunks beside it natively, so
   * no chunk passes through JS memory. Before this resolves, the file's size is checked and (unless verification is
   * off) its sha256, as a stream: what the runtime then reads is what the manifest lists. Every file lies at its
   * manifest path under one folder, so the locations an .onnx records (relative to its own folder) reach the files
   * checked here. Present only for a bundle read in place from a local folder (the Node hosts).
   */
  localPath?(path: string): Promise<string>;
}

/**
 * How a file's parts are read: 'shared' by a helper worker into a reused SharedArrayBuffer, 'opfs-sync' through an
 * OPFS sync access handle, 'file-reader' by FileReaderSync (a new buffer per part), 'node-fs' from a file descriptor.
 */
export type SliceReader = 'shared' | 'opfs-sync' | 'file-reader' | 'node-fs';

/** One file of a bundle, read in parts on demand. */
export interface FileSlices {
  /** The file's size in bytes. */
  byteLength: number;
  /** How the parts are read (for diagnostics and tests); absent for readers that do not say. */
  reader?: SliceReader;
  /** `length` bytes from `offset` (within the file). The array may be reused by the next read: use it before then. */
  read(offset: number, length: number): Uint8Array;
  /** Releases what the reads held open (a file descriptor in Node); later reads fail. */
  close(): void;
}

/** Download and verification progress of a bundle, per file and overall. */
export interface LoadProgress {
  file: string;
  fileBytesLoaded: number;
  fileBytesTotal: number;
  bytesLoaded: number;
  bytesTotal: number;
  /** Bytes per second over the last few seconds; 0 before there is a measurement. */
  bytesPerSecond: number;
  /** Seconds left at the current rate; null when unknown. */
  etaSeconds: number | null;
  /** Whether this file came from the cache (no download). */
  fromCache: boolean;
}
