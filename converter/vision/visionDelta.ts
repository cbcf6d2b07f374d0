/**
 * The vision half of DepictQA's delta (ckpt.pt): `vision_proj.*` (always) and `abstractor.*` (the Abstractor
 * model only), checked against the CLIP tower and the LLM before anything is written. The Abstractor's sizes are
 * read from its tensors; its head count is not stored anywhere, so it comes from DepictQA's config (8) unless
 * given. Reads no tensor data.
 */
import { AppError } from '../../src/core/errors.ts';
import type { TensorEntry } from '../checkpoint/types.ts';
import { abstractorWeightShapes, deltaVisionNames, type AbstractorConfig, type ClipVisionConfig } from './clipConfig.ts';
import type { VisionModel } from './clipConfig.ts';

/** experiments/DQ495K_Abstractor/config.yaml: nhead 8. */
export const DEFAULT_ABSTRACTOR_HEADS = 8;
/** nn.TransformerDecoderLayer's layer_norm_eps default. */
const ABSTRACTOR_LAYER_NORM_EPS = 1e-5;

const HINT = 'Use the DepictQA checkpoint (ckpt.pt) trained on openai/clip-vit-large-patch14 and vicuna-7b-v1.5.';

export interface VisionDelta {
  model: VisionModel;
  /** Every delta tensor the vision graph reads, by name. */
  tensors: Map<string, TensorEntry>;
}

export function planVisionDelta(
  visionKeys: ReadonlyMap<string, TensorEntry>,
  file: string,
  clip: ClipVisionConfig,
  llmHidden: number,
  options: { abstractorHeads?: number } = {},
): VisionDelta {
  const tensors = new Map<string, TensorEntry>();
  const expect = (name: string, shape: number[], what: string) => {
    const entry = visionKeys.get(name);
    if (entry === undefined) {
      throw new AppError('CHECKPOINT_INVALID', `${file}: ${name} is missing (the ${what})`, { hint: HINT });
    }
    if (entry.shape.join(',') !== shape.join(',')) {
      throw new AppError('DELTA_SHAPE_MISMATCH', `${file}: ${name} is [${entry.shape.join(', ')}] but ${what} needs [${shape.join(', ')}]`, { hint: HINT });
    }
    tensors.set(name, entry);
  };
  const { projection } = deltaVisionNames;
  const projectionWhat = `the projector from CLIP (hidden ${clip.hidden_size}) to the LLM (hidden ${llmHidden})`;
  expect(projection.weight, [llmHidden, clip.hidden_size], projectionWhat);
  expect(projection.bias, [llmHidden], projectionWhat);

  const abstractor = abstractorConfig(visionKeys, file, clip, options.abstractorHeads ?? DEFAULT_ABSTRACTOR_HEADS);
  if (abstractor !== null) {
    const shapes = abstractorWeightShapes(abstractor);
    for (const name of visionKeys.keys()) {
      if (name.startsWith('abstractor.') && !shapes.has(name)) {
        throw new AppError('DELTA_UNKNOWN_KEY', `${file}: unknown key ${name} (not part of DepictQA's Abstractor)`, { hint: HINT });
      }
    }
    for (const [name, shape] of shapes) expect(name, shape, `an Abstractor of ${abstractor.numLayers} layers, width ${abstractor.hiddenSize}`);
  }
  return { model: { clip, projection: { inFeatures: clip.hidden_size, outFeatures: llmHidden }, abstractor }, tensors };
}

/** The Abstractor's sizes from its tensors, or null when the delta has none. */
function abstractorConfig(visionKeys: ReadonlyMap<string, TensorEntry>, file: string, clip: ClipVisionConfig, heads: number): AbstractorConfig | null {
  const keys = [...visionKeys.keys()].filter((name) => name.startsWith('abstractor.'));
  if (keys.length === 0) return null;
  const queries = visionKeys.get(deltaVisionNames.queries);
  if (queries === undefined) {
    throw new AppError('CHECKPOINT_INVALID', `${file}: has abstractor.* keys but no ${deltaVisionNames.queries}`, { hint: HINT });
  }
  const [numQueries = 0, batch, width] = queries.shape;
  if (queries.shape.length !== 3 || batch !== 1 || width !== clip.hidden_size) {
    throw new AppError('DELTA_SHAPE_MISMATCH', `${file}: ${deltaVisionNames.queries} is [${queries.shape.join(', ')}] but the Abstractor over CLIP needs [queries, 1, ${clip.hidden_size}]`, {
      hint: HINT,
    });
  }
  const layerIndices = keys.map((name) => /^abstractor\.abstractor\.layers\.(\d+)\./.exec(name)?.[1]).filter((index) => index !== undefined);
  const numLayers = layerIndices.length === 0 ? 0 : Math.max(...layerIndices.map(Number)) + 1;
  const linear1 = visionKeys.get(deltaVisionNames.layer(0).linear1.weight);
  if (numLayers === 0 || linear1 === undefined || linear1.shape.length !== 2) {
    throw new AppError('CHECKPOINT_INVALID', `${file}: the Abstractor has no complete decoder layer (${deltaVisionNames.layer(0).linear1.weight})`, { hint: HINT });
  }
  if (!Number.isInteger(heads) || heads < 1 || clip.hidden_size % heads !== 0) {
    throw new AppError('BAD_ARGUMENTS', `${heads} Abstractor heads (--abstractor-heads, else the config's nhead) do not divide the Abstractor width ${clip.hidden_size}`);
  }
  return {
    numQueries,
    numLayers,
    numHeads: heads,
    intermediateSize: linear1.shape[0]!,
    hiddenSize: clip.hidden_size,
    layerNormEps: ABSTRACTOR_LAYER_NORM_EPS,
  };
}
