/**
 * DepictQA's LoRA delta (`ckpt.pt`) merged into Vicuna's attention projections, one weight at a time:
 *   W' = W + (alpha / r) · B · A      A [r, in], B [out, r], in fp32 (sums in float64), before quantization.
 * Keys are matched by pattern and every key is accounted for: LoRA pairs for the LLM, `vision_proj.*` and
 * `abstractor.*` handed back to the caller for the vision side, anything else is an error (never a silent guess).
 */
import { AppError } from '../src/core/errors.ts';
import { headDim, llamaNames, type LlamaConfig } from './checkpoint/llamaConfig.ts';
import type { TensorEntry } from './checkpoint/types.ts';

/** DepictQA trains with r = 16, alpha = 16 (MODEL_CONTRACT.md), so the scale is 1. */
export const DEFAULT_LORA_ALPHA = 16;

const LORA_KEY = /^llm\.base_model\.model\.model\.layers\.(\d+)\.self_attn\.([qkvo])_proj\.lora_([AB])\.default\.weight$/;
const VISION_KEY = /^(vision_proj\.(weight|bias)|abstractor\..+)$/;
const HINT = 'Expected a DepictQA checkpoint (ckpt.pt): LoRA on the q/k/v/o projections, vision_proj and abstractor keys.';

export interface LoraPair {
  /** The Hugging Face weight it changes, e.g. `model.layers.3.self_attn.q_proj.weight`. */
  target: string;
  a: TensorEntry; // [r, in]
  b: TensorEntry; // [out, r]
  rank: number;
}

export interface LoraDelta {
  file: string;
  alpha: number;
  /** By target weight name. */
  pairs: Map<string, LoraPair>;
  /** `vision_proj.*` and `abstractor.*` entries, for the vision converter. */
  visionKeys: Map<string, TensorEntry>;
}

/**
 * Sorts a delta's tensors and checks every LoRA pair against the model's shapes; reads no tensor data.
 * `file` names the delta in error messages.
 */
export function planLoraMerge(tensors: ReadonlyMap<string, TensorEntry>, file: string, config: LlamaConfig, options: { alpha?: number } = {}): LoraDelta {
  const alpha = options.alpha ?? DEFAULT_LORA_ALPHA;
  const halves = new Map<string, { a?: TensorEntry; b?: TensorEntry }>();
  const visionKeys = new Map<string, TensorEntry>();
  for (const [key, entry] of tensors) {
    if (VISION_KEY.test(key)) {
      visionKeys.set(key, entry);
      continue;
    }
    const match = LORA_KEY.exec(key);
    if (match === null) {
      throw new AppError('DELTA_UNKNOWN_KEY', `${file}: unknown key ${key} (not a LoRA weight of the q/k/v/o projections, vision_proj or abstractor)`, { hint: HINT });
    }
    const [, layerText, projection, half] = match;
    const layer = Number(layerText);
    if (layer >= config.num_hidden_layers) {
      throw new AppError('DELTA_SHAPE_MISMATCH', `${file}: ${key} is for layer ${layer} but the model has ${config.num_hidden_layers} layers`, { hint: HINT });
    }
    const target = llamaNames.layer(layer)[projection as 'q' | 'k' | 'v' | 'o'];
    const pair = halves.get(target) ?? {};
    if (half === 'A') pair.a = entry;
    else pair.b = entry;
    halves.set(target, pair);
  }

  const targetShapes = projectionShapes(config);
  const pairs = new Map<string, LoraPair>();
  for (const [target, { a, b }] of halves) {
    if (a === undefined || b === undefined) {
      const present = (a ?? b)!.name;
      const missing = present.replace(a ? 'lora_A' : 'lora_B', a ? 'lora_B' : 'lora_A');
      throw new AppError('CHECKPOINT_INVALID', `${file}: ${present} has no partner ${missing}`, { hint: HINT });
    }
    const [out, inDim] = targetShapes.get(target.replace(/^model\.layers\.\d+\./, ''))!;
    const rank = a.shape[0] ?? 0;
    if (a.shape.length !== 2 || a.shape[1] !== inDim || rank < 1) {
      throw mismatch(file, a.name, a.shape, target, [rank, inDim]);
    }
    if (b.shape.length !== 2 || b.shape[0] !== out || b.shape[1] !== rank) {
      throw mismatch(file, b.name, b.shape, target, [out, rank], b.shape[0] === out ? ` (the rank of ${a.name})` : '');
    }
    pairs.set(target, { target, a, b, rank });
  }
  return { file, alpha, pairs, visionKeys };
}

/** `weight` ([out, in], fp32) plus the delta when `name` has a LoRA pair (a new array), else `weight` itself. */
export async function applyLora(delta: LoraDelta, name: string, weight: Float32Array): Promise<Float32Array> {
  const pair = delta.pairs.get(name);
  if (pair === undefined) return weight;
  const [a, b] = await Promise.all([pair.a.read(), pair.b.read()]); // [r, in], [out, r]
  const r = pair.rank;
  const inDim = pair.a.shape[1]!;
  const out = pair.b.shape[0]!;
  if (weight.length !== out * inDim) {
    throw mismatch(delta.file, pair.a.name, pair.a.shape, name, [r, weight.length / out]);
  }
  const scale = delta.alpha / r;
  const merged = new Float32Array(weight.length);
  const row = new Float64Array(inDim);
  for (let o = 0; o < out; o++) {
    row.fill(0);
    for (let j = 0; j < r; j++) {
      const coefficient = b[o * r + j]!;
      if (coefficient === 0) continue;
      const aRow = j * inDim;
      for (let i = 0; i < inDim; i++) row[i]! += coefficient * a[aRow + i]!;
    }
    const wRow = o * inDim;
    for (let i = 0; i < inDim; i++) merged[wRow + i] = weight[wRow + i]! + scale * row[i]!;
  }
  return merged;
}

/** A weight reader that merges the delta (when given) into each base weight as it is read. */
export function mergedWeightReader(
  base: (name: string) => Promise<Float32Array>,
  delta: LoraDelta | undefined,
): (name: string) => Promise<Float32Array> {
  if (delta === undefined) return base;
  return async (name) => applyLora(delta, name, await base(name));
}

/** [out, in] of each attention projection, keyed by the name without its layer prefix. */
function projectionShapes(config: LlamaConfig): Map<string, [number, number]> {
  const q = config.num_attention_heads * headDim(config);
  const kv = config.num_key_value_heads * headDim(config);
  const hidden = config.hidden_size;
  return new Map<string, [number, number]>([
    ['self_attn.q_proj.weight', [q, hidden]],
    ['self_attn.k_proj.weight', [kv, hidden]],
    ['self_attn.v_proj.weight', [kv, hidden]],
    ['self_attn.o_proj.weight', [hidden, q]],
  ]);
}

function mismatch(file: string, key: string, shape: readonly number[], target: string, needed: number[], why = ''): AppError {
  return new AppError('DELTA_SHAPE_MISMATCH', `${file}: ${key} is [${shape.join(', ')}] but the model's ${target} needs [${needed.join(', ')}]${why}`, {
    hint: 'The delta was trained for another base model: use the Vicuna-7B v1.5 checkpoint DepictQA was trained on.',
  });
}
