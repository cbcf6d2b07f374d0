import { deflateSync } from 'node:zlib';
import { concatArrays } from '../../testing/concatArrays.ts';

/** Test-only PNG writer: lets a test put exact samples, chunks and (false) header sizes into a file. */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function ihdr(width: number, height: number, bitDepth: number, colourType: number): Uint8Array {
  const data = new Uint8Array(13);
  const view = new DataView(data.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  data[8] = bitDepth;
  data[9] = colourType;
  return pngChunk('IHDR', data);
}

const SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** An 8-bit RGB PNG (colour type 2) of `rgb` [height, width, 3], with extra chunks before the image data. */
export function encodeRgbPng(width: number, height: number, rgb: Uint8Array, extraChunks: Uint8Array[] = []): Uint8Array {
  const rows = new Uint8Array(height * (1 + width * 3));
  for (let y = 0; y < height; y++) rows.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (1 + width * 3) + 1);
  return concatArrays(Uint8Array, [
    SIGNATURE,
    ihdr(width, height, 8, 2),
    ...extraChunks,
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

/** The iCCP chunk that embeds `profile` (a PNG may carry one ICC profile before its image data). */
export function iccpChunk(profile: Uint8Array): Uint8Array {
  const name = new TextEncoder().encode('test profile');
  return pngChunk('iCCP', concatArrays(Uint8Array, [name, new Uint8Array([0, 0]), deflateSync(profile)]));
}

/** Signature + IHDR claiming `width × height`, then a tiny IDAT and IEND: a decompression bomb's header. */
export function claimedSizePng(width: number, height: number): Uint8Array {
  return concatArrays(Uint8Array, [SIGNATURE, ihdr(width, height, 8, 2), pngChunk('IDAT', deflateSync(new Uint8Array(16))), pngChunk('IEND', new Uint8Array(0))]);
}
