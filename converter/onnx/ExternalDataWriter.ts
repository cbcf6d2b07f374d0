/**
 * Writes initializer bytes to side files as they are produced, so that a 7B model never sits whole in memory.
 * Files are named as transformers.js expects them (`<model>.onnx_data`, `<model>.onnx_data_1`, …); a new chunk
 * starts before one would pass `chunkLimitBytes`, because a browser cannot hold an ArrayBuffer of 2 GiB or more.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../src/core/errors.ts';

/** 1.9 GiB: under the 2 GiB ArrayBuffer limit of browsers, with room to spare. */
export const DEFAULT_CHUNK_LIMIT_BYTES = Math.floor(1.9 * 1024 ** 3);
/** Offsets are aligned so that typed-array views and GPU copies of a tensor can start at its first byte. */
export const DEFAULT_ALIGNMENT_BYTES = 64;

/** Where one tensor's bytes live: `location` is relative to the .onnx file, as ONNX's external data field is. */
export interface ExternalRef {
  location: string;
  offset: number;
  length: number;
}

export interface WrittenFile {
  /** File name relative to the folder written into. */
  name: string;
  bytes: number;
}

export interface ExternalDataOptions {
  chunkLimitBytes?: number;
  alignmentBytes?: number;
}

export function externalDataChunkName(modelFileName: string, index: number): string {
  return `${modelFileName}_data${index === 0 ? '' : `_${index}`}`;
}

export class ExternalDataWriter {
  private readonly chunks: WrittenFile[] = [];
  private handle: FileHandle | undefined;
  private size = 0;
  private readonly chunkLimit: number;
  private readonly alignment: number;

  /** `modelFileName` is the .onnx file's name (e.g. `decoder_model_merged_q4.onnx`), written into `dir`. */
  constructor(
    private readonly dir: string,
    private readonly modelFileName: string,
    options: ExternalDataOptions = {},
  ) {
    this.chunkLimit = options.chunkLimitBytes ?? DEFAULT_CHUNK_LIMIT_BYTES;
    this.alignment = options.alignmentBytes ?? DEFAULT_ALIGNMENT_BYTES;
    if (!(this.alignment >= 1 && Number.isInteger(this.alignment)) || !(this.chunkLimit >= this.alignment)) {
      throw new AppError('INTERNAL', `external data for ${modelFileName}: bad chunk limit ${this.chunkLimit} or alignment ${this.alignment}`);
    }
  }

  /** Appends one tensor's bytes (in pieces, e.g. row blocks, when it is large) and says where they went. */
  async write(pieces: Uint8Array | readonly Uint8Array[]): Promise<ExternalRef> {
    const parts = pieces instanceof Uint8Array ? [pieces] : pieces;
    const length = parts.reduce((sum, part) => sum + part.byteLength, 0);
    if (length > this.chunkLimit) {
      throw new AppError('INTERNAL', `external data for ${this.modelFileName}: a tensor of ${length} bytes exceeds the chunk limit of ${this.chunkLimit} bytes`);
    }
    let offset = Math.ceil(this.size / this.alignment) * this.alignment;
    if (this.handle === undefined || offset + length > this.chunkLimit) {
      await this.startChunk();
      offset = 0;
    }
    const handle = this.handle!;
    // Padding is written explicitly so the file has no holes and its size equals the recorded size.
    if (offset > this.size) await writeAll(handle, new Uint8Array(offset - this.size), this.size);
    let position = offset;
    for (const part of parts) {
      await writeAll(handle, part, position);
      position += part.byteLength;
    }
    this.size = position;
    this.chunks[this.chunks.length - 1]!.bytes = position;
    return { location: this.chunks[this.chunks.length - 1]!.name, offset, length };
  }

  /** Closes the current chunk; returns every chunk written, in order, with its size. */
  async close(): Promise<WrittenFile[]> {
    await this.handle?.close();
    this.handle = undefined;
    return this.chunks.map((chunk) => ({ ...chunk }));
  }

  private async startChunk(): Promise<void> {
    await this.handle?.close();
    const name = externalDataChunkName(this.modelFileName, this.chunks.length);
    this.handle = await open(join(this.dir, name), 'w');
    this.chunks.push({ name, bytes: 0 });
    this.size = 0;
  }
}

async function writeAll(handle: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.byteLength) {
    const { bytesWritten } = await handle.write(data, done, data.byteLength - done, position + done);
    done += bytesWritten;
  }
}
