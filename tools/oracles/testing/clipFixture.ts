/** Reads fixtures/clipTiny.json, written by make_clip_fixture.py (PyTorch's outputs for a tiny CLIP + Abstractor). */
import { readFileSync } from 'node:fs';
import type { DenseTensor } from '../../checkpoint/types.ts';
import type { AbstractorConfig, ClipVisionConfig } from '../../convert/vision/clipConfig.ts';

interface Float32Json {
  shape: number[];
  float32Base64: string;
}
interface Int16Json {
  shape: number[];
  int16Base64: string;
  scale: number;
}
interface CaseJson {
  height: number;
  width: number;
  pixels: Int16Json;
  patchFeatures: Float32Json;
  abstractorOutput: Float32Json;
  projected: Float32Json;
  projectedAbstractor: Float32Json;
}
interface FixtureJson {
  config: ClipVisionConfig;
  abstractor: AbstractorConfig;
  weights: Record<string, Int16Json>;
  cases: CaseJson[];
}

export interface ClipFixtureCase {
  height: number;
  width: number;
  pixels: DenseTensor; // [3, height, width]
  patchFeatures: DenseTensor; // [N, hidden]
  abstractorOutput: DenseTensor; // [queries, hidden]
  projected: DenseTensor; // [N, out]
  projectedAbstractor: DenseTensor; // [queries, out]
}

export interface ClipFixture {
  config: ClipVisionConfig;
  abstractor: AbstractorConfig;
  /** CLIP (`vision_model.*`), Abstractor (`abstractor.*`) and projector (`vision_proj.*`) tensors. */
  weights: Map<string, DenseTensor>;
  cases: ClipFixtureCase[];
}

function bytes(base64: string): Uint8Array {
  // A fresh, aligned copy: typed-array views need an offset that is a multiple of the element size.
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

function float32(json: Float32Json): DenseTensor {
  return { dtype: 'F32', shape: json.shape, data: new Float32Array(bytes(json.float32Base64).buffer) };
}

function int16(json: Int16Json): DenseTensor {
  const raw = new Int16Array(bytes(json.int16Base64).buffer);
  return { dtype: 'F32', shape: json.shape, data: Float32Array.from(raw, (value) => value * json.scale) };
}

export function loadClipFixture(path = new URL('../fixtures/clipTiny.json', import.meta.url)): ClipFixture {
  const json = JSON.parse(readFileSync(path, 'utf8')) as FixtureJson;
  return {
    config: json.config,
    abstractor: json.abstractor,
    weights: new Map(Object.entries(json.weights).map(([name, tensor]) => [name, int16(tensor)])),
    cases: json.cases.map((c) => ({
      height: c.height,
      width: c.width,
      pixels: int16(c.pixels),
      patchFeatures: float32(c.patchFeatures),
      abstractorOutput: float32(c.abstractorOutput),
      projected: float32(c.projected),
      projectedAbstractor: float32(c.projectedAbstractor),
    })),
  };
}
