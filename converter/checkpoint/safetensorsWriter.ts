import { open } from 'node:fs/promises';
import { bytesPerElement } from './dtypes.ts';
import { byteLength, type TensorSource } from './tensorSource.ts';

/**
 * Writes a `.safetensors` file: 8-byte little-endian header length, a JSON header padded with spaces to a multiple
 * of 8 (as the reference implementation does), then each tensor's bytes in order. The header is known up front from
 * the sources' shapes, so the data streams tensor by tensor, in the order the safetensors library uses.
 */
export async function writeSafetensors(path: string, tensors: TensorSource[], metadata: Record<string, string> = { format: 'pt' }): Promise<void> {
  // The order the safetensors library writes: wider element types first, then by name.
  const sources = [...tensors].sort((a, b) => bytesPerElement[b.dtype] - bytesPerElement[a.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const source of sources) {
    const length = byteLength(source);
    header[source.name] = { dtype: source.dtype, shape: source.shape, data_offsets: [offset, offset + length] };
    offset += length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBytes.length));

  const handle = await open(path, 'w');
  try {
    let position = 0;
    const write = async (bytes: Uint8Array) => {
      for (let done = 0; done < bytes.byteLength; ) {
        const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done, position);
        done += bytesWritten;
        position += bytesWritten;
      }
    };
    await write(prefix);
    await write(headerBytes);
    for (const source of sources) {
      const start = position;
      for (const chunk of source.chunks()) await write(chunk);
      if (position - start !== byteLength(source)) {
        throw new RangeError(`${source.name}: wrote ${position - start} bytes, the header announced ${byteLength(source)}`);
      }
    }
  } finally {
    await handle.close();
  }
}
