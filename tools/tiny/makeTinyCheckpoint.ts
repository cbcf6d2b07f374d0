import { mkdir, readdir, stat, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../src/core/errors.ts';
import { writeShardedCheckpoint, type WeightFormat } from '../../converter/checkpoint/shardWriter.ts';
import { writeSafetensors } from '../../converter/checkpoint/safetensorsWriter.ts';
import { byteLength, type TensorSource } from '../../converter/checkpoint/tensorSource.ts';
import { writeTorchZip, type TorchLayout } from '../../converter/checkpoint/torchWriter.ts';
import { clipConfigJson, clipPreprocessorJson, depictqaConfigYaml, llamaConfigJson } from './configs.ts';
import { SHAPES, type CheckpointShape, type ShapeName } from './shapes.ts';
import { writeTinyEmbedder } from './embedder.ts';
import type { TinyEdits } from './imageAnswer.ts';
import { writeVicunaTokenizer } from './tokenizer.ts';
import { clipSources, deltaSources, llamaSources } from './weights.ts';

export interface TinyCheckpointOptions {
  /** Output folder; created if missing, refused if not empty. */
  out: string;
  /** 32-bit unsigned seed; the same seed gives byte-identical files. Default 0. */
  seed?: number;
  shape?: ShapeName;
  /** Vicuna's own format (fp16 PyTorch .bin shards) or sharded safetensors. Default 'bin'. */
  llmFormat?: WeightFormat;
  /** Also write DepictQA's Abstractor (`abstractor.*`) into the delta, as in DepictQA2-Abstractor. Default false. */
  abstractor?: boolean;
  /**
   * How ckpt.pt holds its tensors: 'deepspeed' (the default) as DeepSpeed saves them, views into one flat fp16
   * storage located 'cuda:0' with no byteorder record; 'per-tensor' as plain torch.save on the CPU.
   */
  deltaLayout?: TorchLayout;
  /** Called after each file is written. */
  onFile?: (file: string, bytes: number) => void;
  /** Changes to the random tensors before they are written (tests that need a known answer, e.g. `imageAnswerEdits`). */
  edits?: TinyEdits;
}

export interface TinyCheckpoint {
  llmDir: string;
  clipDir: string;
  deltaPath: string;
  /** DepictQA's config.yaml of the model beside ckpt.pt: its image rule (1024 / 2048 with the Abstractor). */
  configPath: string;
  /** A tiny random sentence embedder (BERT, transformers.js layout) for the detailed-answer confidence. */
  embedderDir: string;
  shape: CheckpointShape;
  /** Every weights file written (relative to `out`) and its size on disk in bytes. */
  files: Array<{ path: string; bytes: number }>;
  /** Tensor data bytes over all weights files. */
  weightBytes: number;
  elapsedMs: number;
}

const JSON_INDENT = 2;

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, JSON_INDENT)}\n`);
}

async function ensureEmptyFolder(out: string): Promise<void> {
  await mkdir(out, { recursive: true });
  const present = await readdir(out);
  if (present.length > 0) {
    throw new AppError('OUTPUT_NOT_EMPTY', `${out}: the output folder is not empty (${present.slice(0, 3).join(', ')}${present.length > 3 ? ', …' : ''})`, {
      hint: 'Choose a new folder, or delete this one first.',
    });
  }
}

async function ensureSpace(out: string, bytes: number): Promise<void> {
  const fs = await statfs(out);
  const free = fs.bavail * fs.bsize;
  // 1% and 64 MB of slack for configs, tokenizer, zip and safetensors headers.
  const needed = Math.ceil(bytes * 1.01) + (64 << 20);
  if (free < needed) {
    throw new AppError('DISK_SPACE', `${out}: needs ${(needed / 1e9).toFixed(1)} GB but only ${(free / 1e9).toFixed(1)} GB is free`, {
      hint: 'Free some space or write to another disk.',
    });
  }
}

/**
 * Writes a deterministic random checkpoint in the ORIGINAL DepictQA formats:
 * - `llm/`: Vicuna-style config.json (marked `depictqa_random_weights: true`), fp16 weights (PyTorch .bin shards + pytorch_model.bin.index.json, or
 *   safetensors shards + model.safetensors.index.json) and the tokenizer files;
 * - `clip/`: a CLIPVisionModel config.json, preprocessor_config.json and fp32 model.safetensors;
 * - `delta/ckpt.pt`: DepictQA's fp16 LoRA factors and projector (and the Abstractor with `abstractor`), laid out
 *   as DeepSpeed saves them (one flat storage; `deltaLayout`), and DepictQA's `config.yaml` of the model;
 * - `embedder/`: a tiny random BERT sentence embedder standing in for all-MiniLM-L6-v2 (see `embedder.ts`).
 * Every tensor streams to disk chunk by chunk, so even the 7B shapes (~15 GB) need only megabytes of memory.
 */
export async function makeTinyCheckpoint(options: TinyCheckpointOptions): Promise<TinyCheckpoint> {
  const started = performance.now();
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new AppError('BAD_ARGUMENTS', `seed ${seed} is not an integer in 0…4294967295`);
  }
  const shape = SHAPES[options.shape ?? 'tiny'];
  const llmFormat = options.llmFormat ?? 'bin';
  const { out } = options;
  const llmDir = join(out, 'llm');
  const clipDir = join(out, 'clip');
  const deltaDir = join(out, 'delta');
  const deltaPath = join(deltaDir, 'ckpt.pt');
  const configPath = join(deltaDir, 'config.yaml');

  // transformers 4.31 saved the rotary inv_freq buffers into Vicuna's .bin files; safetensors exports lack them.
  const randomLlm = llamaSources(shape.llm, seed, llmFormat === 'bin');
  const llm = options.edits?.llm?.(randomLlm) ?? randomLlm;
  const clip = clipSources(shape.clip, seed);
  const randomDelta = deltaSources(shape, seed, options.abstractor === true);
  const delta = options.edits?.delta?.(randomDelta) ?? randomDelta;
  const total = (sources: TensorSource[]) => sources.reduce((sum, source) => sum + byteLength(source), 0);
  const weightBytes = total(llm) + total(clip) + total(delta);

  await ensureEmptyFolder(out);
  await ensureSpace(out, weightBytes);
  await Promise.all([llmDir, clipDir, deltaDir].map((dir) => mkdir(dir)));

  const files: TinyCheckpoint['files'] = [];
  const record = async (path: string) => {
    const bytes = (await stat(join(out, path))).size;
    files.push({ path, bytes });
    options.onFile?.(path, bytes);
  };

  // Vicuna's config plus one key that no Hugging Face loader reads: the converter marks the bundle as random weights.
  await writeJson(join(llmDir, 'config.json'), { ...llamaConfigJson(shape.llm), depictqa_random_weights: true });
  await writeVicunaTokenizer(llmDir);
  const written = await writeShardedCheckpoint(llm, { dir: llmDir, format: llmFormat, maxShardBytes: shape.maxShardBytes });
  for (const shard of written.files) await record(join('llm', shard));

  await writeJson(join(clipDir, 'config.json'), clipConfigJson(shape.clip));
  await writeJson(join(clipDir, 'preprocessor_config.json'), clipPreprocessorJson(shape.clip));
  await writeSafetensors(join(clipDir, 'model.safetensors'), clip);
  await record(join('clip', 'model.safetensors'));

  await writeTorchZip(deltaPath, delta, { layout: options.deltaLayout ?? 'deepspeed' });
  await record(join('delta', 'ckpt.pt'));
  await writeFile(configPath, depictqaConfigYaml(shape, options.abstractor === true));

  const embedderDir = join(out, 'embedder');
  for (const file of await writeTinyEmbedder(embedderDir, seed)) await record(join('embedder', file.path));

  return { llmDir, clipDir, deltaPath, configPath, embedderDir, shape, files, weightBytes, elapsedMs: performance.now() - started };
}
