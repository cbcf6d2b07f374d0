/**
 * The decoder of one bundle's shape in each graph form (q/k/v and gate/up MatMuls separate or fused), written
 * by the real converter from deterministic random weights: dispatch counts and step times do not depend on the
 * values, and all forms share the same weights, so their logits must agree.
 */
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { LlamaConfig } from '../../../converter/checkpoint/llamaConfig.ts';
import { writeLlamaGraphs } from '../../../converter/llama/convertLlama.ts';
import { layoutFormName } from '../../../converter/llama/decoderLayout.ts';
import type { LlamaVariant } from '../../../converter/llama/variants.ts';
import { expectedShapes } from '../../oracles/llamaWeights.ts';
import { seededRandom } from '../../oracles/randomLlama.ts';

export interface DecoderForm {
  fuseQkv: boolean;
  fuseGateUp: boolean;
  /** 4-bit weights without zero points (the converter's default has them). */
  symmetric: boolean;
}

/** The four graph forms, with the converter's default (asymmetric) weights or symmetric ones. */
export function decoderForms(symmetric: boolean): DecoderForm[] {
  return [
    { fuseQkv: false, fuseGateUp: false, symmetric },
    { fuseQkv: true, fuseGateUp: false, symmetric },
    { fuseQkv: false, fuseGateUp: true, symmetric },
    { fuseQkv: true, fuseGateUp: true, symmetric },
  ];
}

export function formName(form: DecoderForm): string {
  return layoutFormName({ fusedQkv: form.fuseQkv, fusedGateUp: form.fuseGateUp, symmetric: form.symmetric });
}

/** A decoder graph on disk: its .onnx path and the names of its external data files beside it. */
export interface DecoderFile {
  onnxPath: string;
  externalData: string[];
}

/** Random weights made on demand (one tensor at a time: a 100M model's would take 0.5 GB at once). */
export function randomWeightReader(config: LlamaConfig, seed: number): (name: string) => Promise<Float32Array> {
  const shapes = [...expectedShapes(config)];
  return async (name) => {
    const index = shapes.findIndex(([known]) => known === name);
    if (index < 0) throw new Error(`${name} is not a LLaMA weight`);
    const shape = shapes[index]![1];
    const random = seededRandom(seed * 100_003 + index);
    const isNorm = shape.length === 1;
    const spread = isNorm ? 0.1 : 1 / Math.sqrt(shape[1]!);
    return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (isNorm ? 1 : 0) + spread * (2 * random() - 1));
  };
}

/** Writes `variant`'s decoder in `form` under `dir/<form>/`. */
export async function writeDecoderForm(config: LlamaConfig, variant: LlamaVariant, form: DecoderForm, dir: string, seed = 7): Promise<DecoderFile> {
  const formDir = join(dir, formName(form).replace(/[^a-z_]+/g, '-'));
  await mkdir(formDir, { recursive: true });
  const [graphs] = await writeLlamaGraphs(config, randomWeightReader(config, seed), formDir, { variants: [variant], ...form });
  return { onnxPath: join(formDir, graphs!.decoder.model.name), externalData: graphs!.decoder.data.map((file) => file.name) };
}
