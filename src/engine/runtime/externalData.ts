import type { FileSlices } from '../../core/bundle/bundleFiles.ts';

/**
 * An external-data chunk that onnxruntime-web reads one initializer at a time, straight from the file.
 *
 * onnxruntime-web mounts each `externalData` entry's Uint8Array by path; while a session is created, its loader
 * (in ort-wasm-*.mjs, called from C++ once per initializer) checks `offset + length <= data.byteLength`, takes
 * `data.subarray(offset, offset + length)` and copies those bytes to the wasm heap (CPU EP) or uploads them to a
 * GPU buffer (WebGPU EP). It never reads the chunk otherwise. So an array that answers `byteLength` with the
 * file's size and `subarray` with a synchronous read of that part lets a session be created while JS memory
 * holds one initializer (tens of MB for a 7B model) instead of the whole chunk (gigabytes).
 *
 * The array itself is empty: anything that reads it as a plain array (a copy, a structured clone) sees no bytes,
 * and onnxruntime then fails to create the session with an out-of-bounds error rather than reading wrong weights.
 */
export class SlicedFileBytes extends Uint8Array {
  /** Bytes handed out so far (a measure that the loader read through the slices). */
  bytesRead = 0;
  /**
   * The first read that failed. onnxruntime's loader turns any exception into a generic "failed to load external
   * data" status, so the caller reports this one (which says what happened to the file) instead.
   */
  readError: unknown = null;
  readonly #slices: FileSlices;

  constructor(slices: FileSlices) {
    super(0);
    this.#slices = slices;
    // An own property: Uint8Array's byteLength is an accessor on its prototype that would say 0.
    Object.defineProperty(this, 'byteLength', { value: slices.byteLength });
  }

  override subarray(begin = 0, end: number = this.byteLength): Uint8Array<ArrayBuffer> {
    const from = Math.max(0, Math.min(begin < 0 ? this.byteLength + begin : begin, this.byteLength));
    const to = Math.max(from, Math.min(end < 0 ? this.byteLength + end : end, this.byteLength));
    let bytes: Uint8Array;
    try {
      bytes = this.#slices.read(from, to - from);
    } catch (error) {
      this.readError ??= error;
      throw error;
    }
    this.bytesRead += bytes.byteLength;
    return bytes as Uint8Array<ArrayBuffer>;
  }
}

/** Whether `ort` is onnxruntime-web (whose loader reads external data through `subarray`), not onnxruntime-node. */
export function readsExternalDataInSlices(ort: { env: { versions: Record<string, unknown> } }): boolean {
  return typeof ort.env.versions.web === 'string';
}

/**
 * Whether `ort` is onnxruntime-node, which opens a graph from its .onnx path and reads the external data beside it
 * natively (its `externalData` option takes only real arrays). onnxruntime-web, in a browser or in Node, is not.
 */
export function opensGraphsFromDisk(ort: { env: { versions: Record<string, unknown> } }): boolean {
  return typeof ort.env.versions.node === 'string';
}
