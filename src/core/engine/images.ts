/**
 * Images across the engine boundary: the bytes in, an id for later requests, and what encoding them made.
 * Plain, structured-cloneable data, as every type of the engine boundary (api.ts).
 */


/** An image file's bytes as the user gave them (PNG, JPEG, WebP, GIF, BMP, AVIF). */
export interface ImageInput {
  name: string;
  bytes: Uint8Array;
  /**
   * `sha256Hex(bytes)` when the caller has it already (the page hashes a file once, when it is dropped); the
   * engine hashes the bytes only when it is missing.
   */
  id?: string;
}

/** An image of a request: its bytes (encoded in the same job when the engine lacks them), or the id of one it already has. */
export type ImageRef = ImageInput | string;

export interface EncodedImage {
  /** A hash of the file's bytes: the same file is encoded once per session. */
  id: string;
  name: string;
  width: number;
  height: number;
  /** The patch grid after DepictQA's resize and padding; rows = grid.height · grid.width without an Abstractor. */
  grid: { height: number; width: number };
  /** Embedding rows the image takes in the prompt. */
  rows: number;
  /** Decode + preprocessing + vision encoder time of the first encoding. */
  visionMs: number;
  /** True when the features came from this session's cache (nothing ran). */
  cached: boolean;
}
