import { mkdir, readdir, readFile } from 'node:fs/promises';
import { isDiskFull, writeFailure, writeFileDurably } from '../cli/fs/durableWrite.ts';
import { basename, join } from 'node:path';
import { existsSync } from 'node:fs';
import { MANIFEST_SCHEMA_VERSION, parseManifest, type BundleManifest, type GraphSpec, type VisionSpec } from '../src/core/bundle/manifest.ts';
import { AppError } from '../src/core/errors.ts';
import { CLIP_MEAN, CLIP_STD } from '../src/core/vision/padNormalize.ts';
import type { ResizeRule } from '../src/core/vision/resizeRule.ts';
import { headDim, parseLlamaConfig, type LlamaConfig } from './checkpoint/llamaConfig.ts';
import { openCheckpoint } from './checkpoint/index.ts';
import type { Checkpoint, TensorEntry } from './checkpoint/types.ts';
import type { ValueInfo } from './onnx/GraphBuilder.ts';
import type { WrittenGraph } from './onnx/ModelWriter.ts';
import { convertTokenizer } from './tokenizer/convertTokenizer.ts';
import { imageRuleFor, readDepictqaConfig, type DepictqaConfig } from './depictqaConfig.ts';
import { estimateLlamaBytes, estimateVisionBytes } from './estimate.ts';
import { describeFile } from './hashFile.ts';
import { llamaWeightShapes, writeLlamaGraphs, type LlamaGraphs } from './llama/convertLlama.ts';
import type { LlamaVariant } from './llama/variants.ts';
import { applyLora, DEFAULT_LORA_ALPHA, planLoraMerge, type LoraDelta } from './lora.ts';
import { checkFreeSpace, checkOutput, stageOutput } from './outputDir.ts';
import { createProgress, type Progress } from './progress.ts';
import { positionGrid } from './vision/clipConfig.ts';
import { visionWeightShapes, writeVisionGraphs, type VisionGraphs } from './vision/convertVision.ts';
import { openClipVision, type ClipInput } from './vision/openClip.ts';
import { planVisionDelta, type VisionDelta } from './vision/visionDelta.ts';
import { visionVariantSpecs } from './vision/visionVariants.ts';

export const CONVERTER_VERSION = '0.1.0';

export interface ConvertOptions {
  /** Vicuna's folder: config.json, weights (.bin shards or safetensors), tokenizer.model or tokenizer.json. */
  llm: string;
  /** DepictQA's ckpt.pt. */
  delta: string;
  /** CLIP's folder (Hugging Face openai/clip-vit-large-patch14); without it the bundle has no vision graph. */
  clip?: string;
  /** The Abstractor's head count, which its tensors do not record (the config's `nhead`, else DepictQA's 8). */
  abstractorHeads?: number;
  /**
   * DepictQA's config.yaml of this model (experiments/<model>/config.yaml): its `vision_preprocess` is the
   * bundle's image rule. Without it, DepictQA-Wild's 224 / 672; an Abstractor delta needs it.
   */
  config?: string;
  out: string;
  variants: readonly LlamaVariant[];
  loraAlpha?: number;
  /** Replace a non-empty --out. */
  force?: boolean;
  /** Check the inputs and print the plan; write nothing. */
  dryRun?: boolean;
  /** The model's name in the manifest; defaults to the delta's folder name. */
  name?: string;
  /** Largest external-data chunk, in bytes (tests force small chunks). */
  chunkLimitBytes?: number;
  /** Decoder graph form; defaults in DEFAULT_GRAPH_FORM (llama/decoderGraph.ts). */
  fuseQkv?: boolean;
  fuseGateUp?: boolean;
  /** 4-bit decoder weights without zero points (fewer GPU dispatches per step; see args.ts). */
  symmetric?: boolean;
  progress?: Progress;
}

export interface ConvertPlan {
  config: LlamaConfig;
  loraRank: number;
  loraPairs: number;
  /** Delta keys left for the vision converter. */
  visionKeys: string[];
  /** The vision graphs to write, or null without --clip. */
  vision: VisionDelta['model'] | null;
  /** How the model resizes images (with --clip). */
  imageRule: ResizeRule | null;
  /** Estimated bytes per variant. */
  variantBytes: Record<string, number>;
  totalBytes: number;
}

export interface ConvertResult {
  plan: ConvertPlan;
  /** Absent on a dry run. */
  manifest?: BundleManifest;
}

/** Original checkpoints → web bundle. Nothing appears at `out` unless the whole conversion succeeds. */
export async function convertBundle(options: ConvertOptions): Promise<ConvertResult> {
  const progress = options.progress ?? createProgress();
  checkOutput({ out: options.out, inputs: [options.llm, options.delta, ...(options.clip === undefined ? [] : [options.clip])], force: options.force === true });
  const config = await readLlamaConfig(options.llm);
  const opened: Checkpoint[] = [];
  try {
    const llm = await openCheckpoint(options.llm);
    opened.push(llm);
    for (const note of llm.notes ?? []) progress.log(`LLM: ${note}`);
    const deltaCheckpoint = await openCheckpoint(options.delta);
    opened.push(deltaCheckpoint);
    checkLlmWeights(llm, config, options.llm);
    const delta = planLoraMerge(deltaCheckpoint.tensors, options.delta, config, { alpha: options.loraAlpha ?? DEFAULT_LORA_ALPHA });
    // The vision inputs are checked before anything is written, like the language model's.
    const depictqa = options.config === undefined ? null : await readDepictqaConfig(options.config);
    let vision: { clip: ClipInput; delta: VisionDelta; rule: ResizeRule } | null = null;
    if (options.clip !== undefined) {
      const hasAbstractor = [...delta.visionKeys.keys()].some((name) => name.startsWith('abstractor.'));
      const image = imageRuleFor(depictqa, hasAbstractor, options.delta);
      progress.log(`Images: ${image.note}`);
      const clip = await openClipVision(options.clip);
      opened.push(clip.checkpoint);
      const heads = abstractorHeads(options.abstractorHeads, depictqa);
      const visionDelta = planVisionDelta(delta.visionKeys, options.delta, clip.config, config.hidden_size, heads === undefined ? {} : { abstractorHeads: heads });
      vision = { clip, delta: visionDelta, rule: image.rule };
    }
    const plan = makePlan(config, delta, vision?.delta.model ?? null, vision?.rule ?? null, options.variants);
    if (options.dryRun) return { plan };

    checkFreeSpace(options.out, plan.totalBytes);
    const staged = await stageOutput(options.out);
    const interrupt = () => void staged.discard().finally(() => process.exit(130));
    process.once('SIGINT', interrupt);
    try {
      const manifest = await writeBundle(staged.stagingDir, options, config, llm, delta, vision, plan, progress);
      await staged.commit();
      return { plan, manifest };
    } catch (error) {
      await staged.discard();
      // A disk that filled up after the check above (another writer): named as --out, with the room left there.
      throw isDiskFull(error) ? writeFailure(options.out, error) : error;
    } finally {
      process.off('SIGINT', interrupt);
    }
  } finally {
    await Promise.all(opened.map((checkpoint) => checkpoint.close()));
  }
}

/** --abstractor-heads, else the config's `model.abstractor.nhead`; the two must agree when both are given. */
function abstractorHeads(given: number | undefined, config: DepictqaConfig | null): number | undefined {
  const configured = config?.abstractor?.nhead;
  if (given !== undefined && configured !== undefined && given !== configured) {
    throw new AppError('BAD_ARGUMENTS', `--abstractor-heads ${given} differs from ${config!.file}'s model.abstractor.nhead ${configured}`, {
      hint: 'Leave --abstractor-heads out: the config says how many heads the model was trained with.',
    });
  }
  return given ?? configured;
}

async function readLlamaConfig(llmDir: string): Promise<LlamaConfig> {
  const file = join(llmDir, 'config.json');
  if (!existsSync(file)) {
    throw new AppError('FILE_NOT_FOUND', `${file}: missing`, { hint: "--llm must be Vicuna's folder, with its config.json." });
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new AppError('CHECKPOINT_INVALID', `${file}: not valid JSON`);
  }
  return parseLlamaConfig(json, file);
}

/** The key of the LLM's config.json by which the tiny factory says its weights are random. */
export const RANDOM_WEIGHTS_KEY = 'depictqa_random_weights';

/** Whether config.json says `depictqa_random_weights: true`: the manifest then says so, and the app warns that answers are noise. */
export async function markedRandom(llmDir: string): Promise<boolean> {
  const json = JSON.parse(await readFile(join(llmDir, 'config.json'), 'utf8')) as Record<string, unknown>;
  return json[RANDOM_WEIGHTS_KEY] === true;
}

/** Every weight the graphs need is present with its shape; rotary `inv_freq` buffers of older saves are ignored. */
function checkLlmWeights(llm: Checkpoint, config: LlamaConfig, where: string): void {
  for (const [name, shape] of llamaWeightShapes(config)) {
    const entry = llm.tensors.get(name);
    if (entry === undefined) {
      throw new AppError('CHECKPOINT_INVALID', `${where}: ${name} is missing`, {
        hint: 'Point --llm at the complete vicuna-7b-v1.5 folder (all shards and the index).',
      });
    }
    if (entry.shape.join(',') !== shape.join(',')) {
      throw new AppError('CHECKPOINT_INVALID', `${entry.file}: ${name} is [${entry.shape.join(', ')}] but config.json implies [${shape.join(', ')}]`);
    }
  }
}

function makePlan(config: LlamaConfig, delta: LoraDelta, vision: VisionDelta['model'] | null, imageRule: ResizeRule | null, variants: readonly LlamaVariant[]): ConvertPlan {
  const ranks = new Set([...delta.pairs.values()].map((pair) => pair.rank));
  const variantBytes = Object.fromEntries(
    variants.map((variant) => [variant, estimateLlamaBytes(config, variant) + (vision === null ? 0 : estimateVisionBytes(vision, variant))]),
  );
  return {
    config,
    loraRank: ranks.size === 1 ? [...ranks][0]! : 0,
    loraPairs: delta.pairs.size,
    visionKeys: [...delta.visionKeys.keys()],
    vision,
    imageRule,
    variantBytes,
    totalBytes: Object.values(variantBytes).reduce((a, b) => a + b, 0),
  };
}

async function writeBundle(
  dir: string,
  options: ConvertOptions,
  config: LlamaConfig,
  llm: Checkpoint,
  delta: LoraDelta,
  vision: { clip: ClipInput; delta: VisionDelta; rule: ResizeRule } | null,
  plan: ConvertPlan,
  progress: Progress,
): Promise<BundleManifest> {
  // 1. Language model: each weight read once, LoRA-merged, and handed to every variant.
  const weightNames = [...llamaWeightShapes(config).keys()];
  const inputBytes = weightNames.reduce((sum, name) => sum + byteSize(llm.tensors, name), 0);
  progress.start(`Converting ${options.variants.join(', ')}`, weightNames.length, inputBytes);
  const onnxDir = join(dir, 'onnx');
  await mkdir(onnxDir, { recursive: true });
  const graphs = await writeLlamaGraphs(
    config,
    async (name) => {
      const entry = llm.tensors.get(name)!;
      return applyLora(delta, name, await entry.read());
    },
    onnxDir,
    {
      variants: options.variants,
      ...(options.chunkLimitBytes === undefined ? {} : { chunkLimitBytes: options.chunkLimitBytes }),
      ...(options.fuseQkv === undefined ? {} : { fuseQkv: options.fuseQkv }),
      ...(options.fuseGateUp === undefined ? {} : { fuseGateUp: options.fuseGateUp }),
      ...(options.symmetric === undefined ? {} : { symmetric: options.symmetric }),
      onWeight: (name) => progress.tensorDone(name, byteSize(llm.tensors, name)),
    },
  );
  progress.finish();

  // 2. Vision encoder, one variant after the other (each reads the CLIP weights once).
  let visionGraphs: VisionGraphs[] = [];
  if (vision !== null) {
    const names = [...visionWeightShapes(vision.delta.model).keys()];
    const inputBytes = names.reduce((sum, name) => sum + byteSize(vision.clip.checkpoint.tensors, name) + byteSize(vision.delta.tensors, name), 0);
    progress.start(`Converting the vision encoder (${options.variants.join(', ')})`, names.length * options.variants.length, inputBytes * options.variants.length);
    visionGraphs = await writeVisionGraphs(vision.clip.checkpoint, vision.delta, onnxDir, {
      variants: options.variants,
      ...(options.chunkLimitBytes === undefined ? {} : { chunkLimitBytes: options.chunkLimitBytes }),
      onWeight: (name, bytes) => progress.tensorDone(name, bytes),
    });
    progress.finish();
  }

  // 3. Tokenizer.
  const tokenizer = await convertTokenizer(options.llm, dir, { modelMaxLength: config.max_position_embeddings });
  for (const note of tokenizer.notes) progress.log(`tokenizer: ${note}`);

  // 4. Manifest.
  progress.log('Hashing files…');
  return writeManifest(dir, join(options.out, 'manifest.json'), {
    name: options.name ?? basename(join(options.delta, '..')),
    source:
      `LLM ${basename(options.llm)}, delta ${basename(options.delta)} (LoRA alpha ${delta.alpha})` +
      (options.clip === undefined ? ', no vision encoder' : `, CLIP ${basename(options.clip)}`),
    randomWeights: await markedRandom(options.llm),
    variants: options.variants,
    config,
    lora: { rank: plan.loraRank, alpha: delta.alpha },
    graphs,
    vision: vision === null ? null : { model: vision.delta.model, rule: vision.rule, graphs: visionGraphs },
    tokenizerFiles: tokenizer.files,
  });
}

/** What a bundle's manifest says beyond its files: the model, its graphs and its tokenizer. */
export interface ManifestContents {
  name: string;
  source: string;
  randomWeights: boolean;
  variants: readonly LlamaVariant[];
  config: LlamaConfig;
  lora: { rank: number; alpha: number };
  graphs: readonly LlamaGraphs[];
  vision: { model: VisionDelta['model']; rule: ResizeRule; graphs: readonly VisionGraphs[] } | null;
  tokenizerFiles: readonly string[];
}

/**
 * Writes `dir`/manifest.json: every file of the folder with its size and hash, and the model, validated with the
 * engine's own schema (`shownAs` names the file in its errors). The converter's, and any other bundle writer's.
 */
export async function writeManifest(dir: string, shownAs: string, contents: ManifestContents): Promise<BundleManifest> {
  const { config, vision } = contents;
  const files = await Promise.all((await listFiles(dir)).map((path) => describeFile(dir, path)));
  const manifest: BundleManifest = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    model: {
      name: contents.name,
      source: contents.source,
      template: 'depictqa-v2',
      ...(contents.randomWeights ? { randomWeights: true } : {}),
    },
    variants: [...contents.variants],
    llm: {
      architecture: 'llama',
      hiddenSize: config.hidden_size,
      intermediateSize: config.intermediate_size,
      numLayers: config.num_hidden_layers,
      numHeads: config.num_attention_heads,
      numKvHeads: config.num_key_value_heads,
      headDim: headDim(config),
      vocabSize: config.vocab_size,
      maxPositionEmbeddings: config.max_position_embeddings,
      ropeTheta: config.rope_theta,
      rmsNormEps: config.rms_norm_eps,
      bosTokenId: 1,
      eosTokenId: 2,
      lora: { ...contents.lora },
      logits: 'last',
    },
    vision: vision === null ? null : visionSpec(vision.model, vision.rule, contents.variants),
    tokenizer: { files: [...contents.tokenizerFiles] },
    graphs: [...contents.graphs.flatMap((graph) => graphSpecs(graph)), ...(vision?.graphs ?? []).map(({ variant, graph }) => graphSpec('vision_encoder', variant, graph))],
    files: files.filter((file) => file.path !== 'manifest.json').sort((a, b) => a.path.localeCompare(b.path)),
    converter: { name: 'depictqa-web convert', version: CONVERTER_VERSION, createdAt: new Date().toISOString() },
  };
  parseManifest(manifest, shownAs);
  await writeFileDurably(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

function graphSpecs({ variant, embedTokens, decoder }: LlamaGraphs): GraphSpec[] {
  return [graphSpec('embed_tokens', variant, embedTokens), graphSpec('decoder', variant, decoder)];
}

function graphSpec(role: GraphSpec['role'], variant: LlamaVariant, graph: WrittenGraph): GraphSpec {
  return {
    role,
    variant,
    path: `onnx/${graph.model.name}`,
    externalData: graph.data.map((file) => `onnx/${file.name}`),
    inputs: graph.inputs.map(tensorSpec),
    outputs: graph.outputs.map(tensorSpec),
    requires: variant === 'q4f16' ? ['shader-f16'] : [],
  };
}

/** The manifest's vision section: the tower's numbers, DepictQA's preprocessing and the image-token rule. */
function visionSpec(model: VisionDelta['model'], rule: ResizeRule, variants: readonly LlamaVariant[]): VisionSpec {
  const { clip, abstractor } = model;
  return {
    architecture: 'clip-vit',
    hiddenSize: clip.hidden_size,
    intermediateSize: clip.intermediate_size,
    numLayers: clip.num_hidden_layers,
    numHeads: clip.num_attention_heads,
    layerNormEps: clip.layer_norm_eps,
    patchSize: rule.patchSize,
    positionGrid: positionGrid(clip),
    preprocess: {
      resizeShortSide: rule.resizeShortSide,
      resizeLongSide: rule.resizeLongSide,
      minPaddedSide: rule.minPaddedSide,
      resample: 'pil-bicubic',
      mean: [...CLIP_MEAN],
      std: [...CLIP_STD],
    },
    abstractor:
      abstractor === null
        ? null
        : { numQueries: abstractor.numQueries, numLayers: abstractor.numLayers, numHeads: abstractor.numHeads, intermediateSize: abstractor.intermediateSize },
    imageTokens: abstractor === null ? { rule: 'patch-grid' } : { rule: 'queries', count: abstractor.numQueries },
    outputSize: model.projection.outFeatures,
    weights: Object.fromEntries(variants.map((variant) => [variant, visionVariantSpecs[variant].weights])),
  };
}

function tensorSpec(value: ValueInfo): GraphSpec['inputs'][number] {
  return { name: value.name, dtype: value.type, shape: value.shape };
}

function byteSize(tensors: ReadonlyMap<string, TensorEntry>, name: string): number {
  const entry = tensors.get(name);
  if (entry === undefined) return 0;
  const elements = entry.shape.reduce((a, b) => a * b, 1);
  return elements * (entry.dtype === 'F32' ? 4 : 2);
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}
