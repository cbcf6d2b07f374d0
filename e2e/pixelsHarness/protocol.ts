/** What the decoding tests ask the harness worker, and what it answers. Bytes travel as plain arrays (page.evaluate). */
export type PixelsCall =
  /** The engine's own decode: `browserEngineHost().decodeImage(bytes, name)`. */
  | { call: 'engine'; name: string; bytes: number[] }
  /** The canvas fallback alone, as a browser without WebCodecs decodes: a typed Blob and the file's EXIF orientation. */
  | { call: 'canvas'; name: string; type: string; bytes: number[] }
  /** The size of `createImageBitmap(blob, { imageOrientation })`, to see which values rotate. */
  | { call: 'bitmapSize'; type: string; bytes: number[]; imageOrientation: string };

export type PixelsReply =
  | { ok: true; width: number; height: number; rgb?: number[] }
  | { ok: false; error: { code: string; message: string } };
