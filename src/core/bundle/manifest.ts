import { z } from 'zod';
import { AppError } from '../errors.ts';

/**
 * `manifest.json` of a web bundle: the converter writes it, the engine validates it before downloading
 * anything. Bump MANIFEST_SCHEMA_VERSION on any change an older engine could misread.
 */
export const MANIFEST_SCHEMA_VERSION = 1;

export const VARIANTS = ['q4f16', 'q4', 'fp32'] as const;
export type BundleVariant = (typeof VARIANTS)[number];

/** WebGPU features a graph cannot run without. */
export const GPU_FEATURES = ['shader-f16'] as const;

const positiveInt = z.number().int().positive();
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256');
/** A path inside the bundle: relative, forward slashes, no `..`. */
const bundlePath = z
  .string()
  .min(1)
  .refine((path) => !path.startsWith('/') && !path.split('/').includes('..') && !path.includes('\\'), {
    message: 'a relative path inside the bundle',
  });

const tensorSpec = z.object({
  name: z.string().min(1),
  dtype: z.enum(['float32', 'float16', 'int32', 'int64', 'uint8']),
  /** Numbers are fixed sizes; strings name symbolic dimensions (e.g. "batch", "past_sequence_length"). */
  shape: z.array(z.union([z.number().int().nonnegative(), z.string().min(1)])),
});
export type TensorSpec = z.infer<typeof tensorSpec>;

const graphSpec = z.object({
  /** The role the engine runs it in. */
  role: z.enum(['embed_tokens', 'decoder', 'vision_encoder']),
  variant: z.enum(VARIANTS),
  path: bundlePath,
  /** External weight chunks, in the order onnxruntime expects them, each under 2 GB. */
  externalData: z.array(bundlePath),
  inputs: z.array(tensorSpec),
  outputs: z.array(tensorSpec),
  requires: z.array(z.enum(GPU_FEATURES)),
});
export type GraphSpec = z.infer<typeof graphSpec>;

const fileSpec = z.object({
  path: bundlePath,
  bytes: z.number().int().nonnegative(),
  sha256,
});
export type FileSpec = z.infer<typeof fileSpec>;

const llmSpec = z.object({
  architecture: z.literal('llama'),
  hiddenSize: positiveInt,
  intermediateSize: positiveInt,
  numLayers: positiveInt,
  numHeads: positiveInt,
  numKvHeads: positiveInt,
  headDim: positiveInt,
  vocabSize: positiveInt,
  maxPositionEmbeddings: positiveInt,
  ropeTheta: z.number().positive(),
  rmsNormEps: z.number().positive(),
  bosTokenId: z.number().int().nonnegative(),
  eosTokenId: z.number().int().nonnegative(),
  /** LoRA merged into the weights: rank and alpha as used. */
  lora: z.object({ rank: positiveInt, alpha: z.number().positive() }),
  /** The decoder returns logits for the last position only. */
  logits: z.literal('last'),
});
export type LlmSpec = z.infer<typeof llmSpec>;

/** How a vision graph stores its Linear weights (the embedding stage, norms and biases follow the activations). */
export const VISION_WEIGHT_TYPES = ['float32', 'float16', 'int8', 'int4'] as const;

const visionSpec = z.object({
  architecture: z.literal('clip-vit'),
  hiddenSize: positiveInt,
  intermediateSize: positiveInt,
  numLayers: positiveInt,
  numHeads: positiveInt,
  layerNormEps: z.number().positive(),
  /** Pixels per patch side (14): inputs are multiples of it. */
  patchSize: positiveInt,
  /** The position table's square grid (16 for 224 pixels); the graph resizes it to each input's grid. */
  positionGrid: positiveInt,
  /** DepictQA's preprocessing, which the app runs before the graph (src/core/vision). */
  preprocess: z.object({
    resizeShortSide: positiveInt,
    resizeLongSide: positiveInt,
    minPaddedSide: positiveInt,
    /** PIL's antialiased bicubic (a = −0.5). */
    resample: z.literal('pil-bicubic'),
    mean: z.tuple([z.number(), z.number(), z.number()]),
    std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  }),
  /** DepictQA's Abstractor (learned queries over the patches), or null for the patch-token model. */
  abstractor: z
    .object({ numQueries: positiveInt, numLayers: positiveInt, numHeads: positiveInt, intermediateSize: positiveInt })
    .nullable(),
  /** Rows per image: one per patch, (H/14)·(W/14), or a fixed number of queries. */
  imageTokens: z.discriminatedUnion('rule', [
    z.object({ rule: z.literal('patch-grid') }),
    z.object({ rule: z.literal('queries'), count: positiveInt }),
  ]),
  /** Width of image_features: the LLM's hidden size. */
  outputSize: positiveInt,
  /** Weight type of each variant's vision graph. */
  weights: z.partialRecord(z.enum(VARIANTS), z.enum(VISION_WEIGHT_TYPES)),
});
export type VisionSpec = z.infer<typeof visionSpec>;

export const manifestSchema = z.object({
  schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
  model: z.object({
    name: z.string().min(1),
    /** Free text on where the weights came from (e.g. the delta's folder name), for the user. */
    source: z.string(),
    /** The prompt template the weights were trained with. */
    template: z.literal('depictqa-v2'),
    /**
     * True for a test bundle made from random weights (the tiny factory marks its LLM config.json with
     * `depictqa_random_weights: true`): its answers are noise, good only for trying the pipeline.
     */
    randomWeights: z.boolean().optional(),
  }),
  variants: z.array(z.enum(VARIANTS)).min(1),
  llm: llmSpec,
  /** The vision encoder; null (or absent) when the bundle was converted without --clip and has no vision graph. */
  vision: visionSpec.nullable().optional(),
  tokenizer: z.object({ files: z.array(bundlePath).min(1) }),
  graphs: z.array(graphSpec).min(1),
  files: z.array(fileSpec).min(1),
  converter: z.object({ name: z.string(), version: z.string(), createdAt: z.string() }),
});
export type BundleManifest = z.infer<typeof manifestSchema>;

/** Parses and checks a manifest; every problem becomes one AppError that says where it is. */
export function parseManifest(json: unknown, where = 'manifest.json'): BundleManifest {
  if (typeof json === 'object' && json !== null && 'schemaVersion' in json) {
    const version = (json as { schemaVersion: unknown }).schemaVersion;
    if (typeof version === 'number' && version > MANIFEST_SCHEMA_VERSION) {
      throw new AppError('MANIFEST_INVALID', `${where} has schema version ${version}; this app reads version ${MANIFEST_SCHEMA_VERSION}.`, {
        hint: 'The bundle was made by a newer converter: update the app, or convert the model again with this version.',
      });
    }
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.length ? issue.path.join('.') : '(top level)';
    throw new AppError('MANIFEST_INVALID', `${where} is not a valid bundle manifest: ${at}: ${issue?.message ?? 'invalid'}.`, {
      hint: 'Convert the model again with `npm run convert`, or check that the URL points at a DepictQA Web bundle.',
    });
  }
  checkConsistency(parsed.data, where);
  return parsed.data;
}

function checkConsistency(manifest: BundleManifest, where: string): void {
  const files = new Set(manifest.files.map((file) => file.path));
  const fail = (problem: string): never => {
    throw new AppError('MANIFEST_INVALID', `${where}: ${problem}.`, {
      hint: 'The bundle is incomplete or was edited by hand: convert the model again.',
    });
  };
  if (files.size !== manifest.files.length) fail('a file is listed twice');
  const referenced = [
    ...manifest.tokenizer.files,
    ...manifest.graphs.flatMap((graph) => [graph.path, ...graph.externalData]),
  ];
  for (const path of referenced) if (!files.has(path)) fail(`${path} is used but not listed in "files"`);
  for (const variant of manifest.variants) {
    for (const role of ['embed_tokens', 'decoder'] as const) {
      if (!manifest.graphs.some((graph) => graph.role === role && graph.variant === variant)) {
        fail(`variant ${variant} has no ${role} graph`);
      }
    }
  }
  checkVision(manifest, fail);
}

function checkVision(manifest: BundleManifest, fail: (problem: string) => never): void {
  const vision = manifest.vision ?? null;
  const visionGraphs = manifest.graphs.filter((graph) => graph.role === 'vision_encoder');
  if (vision === null) {
    if (visionGraphs.length > 0) fail('it has vision_encoder graphs but no "vision" section');
    return;
  }
  for (const variant of manifest.variants) {
    if (!visionGraphs.some((graph) => graph.variant === variant)) fail(`variant ${variant} has no vision_encoder graph`);
    if (vision.weights[variant] === undefined) fail(`vision.weights does not say how variant ${variant} stores its weights`);
  }
  if (vision.outputSize !== manifest.llm.hiddenSize) {
    fail(`vision.outputSize ${vision.outputSize} is not the LLM's hidden size ${manifest.llm.hiddenSize}`);
  }
  const queries = vision.imageTokens.rule === 'queries' ? vision.imageTokens.count : null;
  if (queries !== (vision.abstractor?.numQueries ?? null)) {
    fail('vision.imageTokens must be the Abstractor\'s query count when there is an Abstractor, and the patch grid otherwise');
  }
}

/** Rows of image_features for a padded image (sides multiples of the patch size), by the bundle's rule. */
export function imageTokenCount(vision: VisionSpec, padded: { height: number; width: number }): number {
  if (vision.imageTokens.rule === 'queries') return vision.imageTokens.count;
  return (padded.height / vision.patchSize) * (padded.width / vision.patchSize);
}

/** The graphs of one variant by role. */
export function graphsFor(manifest: BundleManifest, variant: BundleVariant): Map<GraphSpec['role'], GraphSpec> {
  return new Map(manifest.graphs.filter((graph) => graph.variant === variant).map((graph) => [graph.role, graph]));
}
