/**
 * The engine bench's ~100M-parameter model: the tiny factory's writers (original Vicuna / CLIP / delta formats,
 * deterministic random values) with a shape between the tiny test model and the real 7B one, so that weight
 * reads, not per-call overheads, dominate a decode step as they do for the real model.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSafetensors } from '../../../converter/checkpoint/safetensorsWriter.ts';
import { writeShardedCheckpoint } from '../../../converter/checkpoint/shardWriter.ts';
import { byteLength } from '../../../converter/checkpoint/tensorSource.ts';
import { writeTorchZip } from '../../../converter/checkpoint/torchWriter.ts';
import { clipConfigJson, clipPreprocessorJson, llamaConfigJson } from '../../tiny/configs.ts';
import { SHAPES, type CheckpointShape } from '../../tiny/shapes.ts';
import { writeVicunaTokenizer } from '../../tiny/tokenizer.ts';
import { clipSources, deltaSources, llamaSources } from '../../tiny/weights.ts';

/**
 * 12 layers × hidden 768 (12 heads of 64), MLP 2048, LLaMA's 32000 vocabulary: 85M parameters in the layers and
 * 2 × 24.6M in the embedding table and lm_head (134M in all). The vision tower is ViT-S-sized (hidden 384,
 * 6 layers, 22M parameters) so that a vision pass costs something without dwarfing the language model.
 */
export const BENCH_100M_SHAPE: CheckpointShape = {
  ...SHAPES.tiny,
  // The factory's shape names are its own; this one is written only by the function below.
  name: 'tiny',
  llm: { hidden: 768, layers: 12, heads: 12, kvHeads: 12, mlp: 2048, vocab: 32000, maxPositions: 4096 },
  clip: { hidden: 384, layers: 6, heads: 6, mlp: 1536, patch: 14, imageSize: 224, projectionDim: 384 },
  maxShardBytes: 10_000_000_000,
};

/** Parameters of the LLaMA matrices (layers, embedding table, lm_head), as the converter counts them. */
export function llamaParameters(shape: CheckpointShape['llm']): number {
  const headDim = shape.hidden / shape.heads;
  const attention = 2 * shape.hidden * shape.hidden + 2 * shape.hidden * shape.kvHeads * headDim;
  return 2 * shape.vocab * shape.hidden + shape.layers * (attention + 3 * shape.hidden * shape.mlp);
}

export interface SyntheticCheckpoint {
  llmDir: string;
  clipDir: string;
  deltaPath: string;
  weightBytes: number;
}

/** Writes `shape` in the original formats under `out` (an empty or new folder), as the tiny factory lays it out. */
export async function writeSyntheticCheckpoint(out: string, shape: CheckpointShape, seed: number): Promise<SyntheticCheckpoint> {
  const llmDir = join(out, 'llm');
  const clipDir = join(out, 'clip');
  const deltaPath = join(out, 'delta', 'ckpt.pt');
  await Promise.all([llmDir, clipDir, join(out, 'delta')].map((dir) => mkdir(dir, { recursive: true })));
  const llm = llamaSources(shape.llm, seed, true);
  const clip = clipSources(shape.clip, seed);
  const delta = deltaSources(shape, seed);
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  await writeFile(join(llmDir, 'config.json'), json(llamaConfigJson(shape.llm)));
  await writeVicunaTokenizer(llmDir);
  await writeShardedCheckpoint(llm, { dir: llmDir, format: 'bin', maxShardBytes: shape.maxShardBytes });
  await writeFile(join(clipDir, 'config.json'), json(clipConfigJson(shape.clip)));
  await writeFile(join(clipDir, 'preprocessor_config.json'), json(clipPreprocessorJson(shape.clip)));
  await writeSafetensors(join(clipDir, 'model.safetensors'), clip);
  await writeTorchZip(deltaPath, delta);
  const weightBytes = [...llm, ...clip, ...delta].reduce((sum, source) => sum + byteLength(source), 0);
  return { llmDir, clipDir, deltaPath, weightBytes };
}
