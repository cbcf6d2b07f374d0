/**
 * The distortions of tools/fixtures/metrics_fixtures.py, rebuilt bit for bit so the tests need no
 * committed copies of them (JPEG excepted: its file is committed). Test helper only.
 */
import type { MetricsImage } from '../image.ts';
import { LegacyRandomState } from './numpyRandom.ts';

/** One fixture distortion, as the JSON describes it. */
export type Distortion =
  | { kind: 'noise'; sigma: number; seed: number }
  | { kind: 'blur'; kernel: number[] }
  | { kind: 'shift'; amounts: number[] }
  | { kind: 'grey' }
  | { kind: 'jpeg'; quality: number; file: string };

/** `np.clip(image + sigma * RandomState(seed).randn(*shape), 0, 255).astype(np.uint8)` */
export function addNoise(image: MetricsImage, sigma: number, seed: number): MetricsImage {
  const noise = new LegacyRandomState(seed).randn(image.data.length);
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) {
    data[i] = Math.trunc(Math.min(255, Math.max(0, image.data[i]! + sigma * noise[i]!)));
  }
  return { ...image, data };
}

/** Separable integer blur, edge-replicated borders, total rounded half up: exact in any language. */
export function integerBlur(image: MetricsImage, kernel: readonly number[]): MetricsImage {
  const { width, height, channels, data } = image;
  const radius = (kernel.length - 1) / 2;
  const total = kernel.reduce((a, b) => a + b, 0) ** 2;
  const clampIndex = (i: number, size: number): number => Math.min(size - 1, Math.max(0, i));
  // Rows first, integer sums: [height, width, channels]
  const rows = new Float64Array(data.length);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      for (let ch = 0; ch < channels; ch++) {
        let sum = 0;
        for (let k = 0; k < kernel.length; k++) {
          sum += kernel[k]! * data[(clampIndex(r + k - radius, height) * width + c) * channels + ch]!;
        }
        rows[(r * width + c) * channels + ch] = sum;
      }
    }
  }
  const out = new Uint8Array(data.length);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      for (let ch = 0; ch < channels; ch++) {
        let sum = 0;
        for (let k = 0; k < kernel.length; k++) {
          sum += kernel[k]! * rows[(r * width + clampIndex(c + k - radius, width)) * channels + ch]!;
        }
        out[(r * width + c) * channels + ch] = Math.floor((sum + total / 2) / total);
      }
    }
  }
  return { ...image, data: out };
}

/** Adds a per-channel integer offset and clips to 0..255. */
export function shiftChannels(image: MetricsImage, amounts: readonly number[]): MetricsImage {
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) {
    data[i] = Math.min(255, Math.max(0, image.data[i]! + amounts[i % image.channels]!));
  }
  return { ...image, data };
}

/** floor(luma + 0.5) as an 8-bit grey image (the same float expression as the Python script). */
export function greyOf(image: MetricsImage): MetricsImage {
  const count = image.width * image.height;
  const data = new Uint8Array(count);
  for (let i = 0, j = 0; i < count; i++, j += 3) {
    data[i] = Math.floor(0.299 * image.data[j]! + 0.587 * image.data[j + 1]! + 0.114 * image.data[j + 2]! + 0.5);
  }
  return { width: image.width, height: image.height, channels: 1, data };
}

/** The script's integer-only RGB pattern; `offset` adds its blocky distortion. */
export function synthetic(width: number, height: number, offset: boolean): MetricsImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let v = (x + 2 * y + 50 * c + ((x * y + 11 * c) % 97)) % 256;
        if (offset) {
          const shift = ((31 * Math.floor(x / 7) + 17 * Math.floor(y / 5) + 5 * c) % 41) - 20;
          v = Math.min(255, Math.max(0, v + shift));
        }
        data[(y * width + x) * 3 + c] = v;
      }
    }
  }
  return { width, height, channels: 3, data };
}
