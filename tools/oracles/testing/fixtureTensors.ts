/** Tensors as the Python fixture scripts write them into JSON: fp32 bytes, or int16 with a scale, in base64. */
import type { DenseTensor } from '../../../converter/checkpoint/types.ts';

export interface Float32Json {
  shape: number[];
  float32Base64: string;
}

export interface Int16Json {
  shape: number[];
  int16Base64: string;
  scale: number;
}

function bytes(base64: string): Uint8Array {
  // A fresh, aligned copy: typed-array views need an offset that is a multiple of the element size.
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

export function float32Tensor(json: Float32Json): DenseTensor {
  return { dtype: 'F32', shape: json.shape, data: new Float32Array(bytes(json.float32Base64).buffer) };
}

export function int16Tensor(json: Int16Json): DenseTensor {
  const raw = new Int16Array(bytes(json.int16Base64).buffer);
  return { dtype: 'F32', shape: json.shape, data: Float32Array.from(raw, (value) => value * json.scale) };
}
