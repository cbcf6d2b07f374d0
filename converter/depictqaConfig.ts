/**
 * DepictQA's experiment config (experiments/<model>/config.yaml), read for what the weights do not record: how
 * the model resizes images (`vision_preprocess`) and the Abstractor's head count (`model.abstractor.nhead`).
 * The released configs: DQ495K, QInst, QPath resize to 224 (max 672); DQ495K_Abstractor to 1024 (max 2048, min 70).
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { AppError } from '../src/core/errors.ts';
import { DEPICTQA_WILD_RULE, PATCH_SIZE, ruleText, type ResizeRule } from '../src/core/vision/resizeRule.ts';

export interface DepictqaConfig {
  file: string;
  rule: ResizeRule;
  /** `model.abstractor`, when the model has one. */
  abstractor: { nhead?: number } | null;
}

/** CustomTransform's defaults (src/model/clip/clip.py), for fields a config leaves out. */
const TRANSFORM_DEFAULTS = { patch_size: 14, resize: 224, min_size: 70, max_size: 672, keep_ratio: true };

export async function readDepictqaConfig(file: string): Promise<DepictqaConfig> {
  const invalid = (problem: string) =>
    new AppError('CHECKPOINT_INVALID', `${file}: ${problem}`, { hint: "Give the model's own config.yaml from DepictQA's experiments/ folder (e.g. experiments/DQ495K_Abstractor/config.yaml)." });
  const text = await readFile(file, 'utf8').catch((cause: unknown) => {
    throw new AppError('FILE_NOT_FOUND', `${file}: file not found`, { hint: 'Check the --config path.', cause });
  });
  let root: unknown;
  try {
    root = parse(text);
  } catch (cause) {
    throw invalid(`not valid YAML (${String(cause).split('\n')[0]})`);
  }
  if (!isRecord(root)) throw invalid('not a YAML mapping');
  const preprocess = root.vision_preprocess;
  if (!isRecord(preprocess)) throw invalid('has no vision_preprocess section (the resize rule)');
  const field = (name: keyof typeof TRANSFORM_DEFAULTS & string): number => {
    const value = preprocess[name] ?? TRANSFORM_DEFAULTS[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw invalid(`vision_preprocess.${name} is ${JSON.stringify(value)}, not a positive whole number`);
    return value;
  };
  if ((preprocess.keep_ratio ?? true) !== true) {
    throw invalid('vision_preprocess.keep_ratio is not true: squashing images to a square is not supported (no released DepictQA model does it)');
  }
  const rule: ResizeRule = { resizeShortSide: field('resize'), resizeLongSide: field('max_size'), minPaddedSide: field('min_size'), patchSize: field('patch_size') };
  if (rule.resizeShortSide > rule.resizeLongSide) throw invalid(`vision_preprocess.resize ${rule.resizeShortSide} is above max_size ${rule.resizeLongSide}`);
  if (rule.patchSize !== PATCH_SIZE) throw invalid(`vision_preprocess.patch_size is ${rule.patchSize}, but CLIP ViT-L/14's patch is ${PATCH_SIZE}`);
  const model = isRecord(root.model) ? root.model : {};
  const abstractor = isRecord(model.abstractor) ? model.abstractor : null;
  const nhead = abstractor?.nhead;
  return { file, rule, abstractor: abstractor === null ? null : typeof nhead === 'number' ? { nhead } : {} };
}

/**
 * The resize rule the bundle records. With a config: its rule, once the config and the delta agree on whether
 * the model has an Abstractor. Without one: DepictQA-Wild's, except for an Abstractor delta, which is refused:
 * the released Abstractor model resizes to 1024 / 2048, and nothing in ckpt.pt says so.
 */
export function imageRuleFor(config: DepictqaConfig | null, deltaHasAbstractor: boolean, deltaFile: string): { rule: ResizeRule; note: string } {
  if (config === null) {
    if (deltaHasAbstractor) {
      throw new AppError(
        'BAD_ARGUMENTS',
        `${deltaFile} holds DepictQA's Abstractor, whose images are resized by the model's config.yaml (the released DQ495K_Abstractor: 1024, max 2048), not DepictQA-Wild's ${ruleText(DEPICTQA_WILD_RULE)}`,
        { hint: "Give the model's config with --config path/to/DQ495K_Abstractor/config.yaml." },
      );
    }
    return { rule: DEPICTQA_WILD_RULE, note: `resized by DepictQA-Wild's rule, ${describeRule(DEPICTQA_WILD_RULE)} (no --config)` };
  }
  if ((config.abstractor !== null) !== deltaHasAbstractor) {
    throw new AppError(
      'BAD_ARGUMENTS',
      deltaHasAbstractor
        ? `${config.file} describes a model without an Abstractor, but ${deltaFile} holds one`
        : `${config.file} describes a model with an Abstractor (model.abstractor), but ${deltaFile} holds none`,
      { hint: 'Give the config.yaml of the model this ckpt.pt belongs to.' },
    );
  }
  return { rule: config.rule, note: `resized by ${config.file}'s rule, ${describeRule(config.rule)}` };
}

/** "224 / 672, at least 70, patches of 14". */
export function describeRule(rule: ResizeRule): string {
  return `${ruleText(rule)}, at least ${rule.minPaddedSide}, patches of ${rule.patchSize}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
