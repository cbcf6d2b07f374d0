/** Reads fixtures/clipTiny.json, written by make_clip_fixture.py (PyTorch's outputs for a tiny CLIP + Abstractor). */
import { readFileSync } from 'node:fs';
import type { DenseTensor } from '../../../converter/checkpoint/types.ts';
import { float32Tensor, int16Tensor, type Float32Json, type Int16Json } from './fixtureTensors.ts';
import type { AbstractorConfig, ClipVisionConfig } from '../../../converter/vision/clipConfig.ts';

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

export function loadClipFixture(path = new URL('../fixtures/clipTiny.json', import.meta.url)): ClipFixture {
  const json = JSON.parse(readFileSync(path, 'utf8')) as FixtureJson;
  return {
    config: json.config,
    abstractor: json.abstractor,
    weights: new Map(Object.entries(json.weights).map(([name, tensor]) => [name, int16Tensor(tensor)])),
    cases: json.cases.map((c) => ({
      height: c.height,
      width: c.width,
      pixels: int16Tensor(c.pixels),
      patchFeatures: float32Tensor(c.patchFeatures),
      abstractorOutput: float32Tensor(c.abstractorOutput),
      projected: float32Tensor(c.projected),
      projectedAbstractor: float32Tensor(c.projectedAbstractor),
    })),
  };
}
