import { badArguments, oneOf, parseFlags, positiveNumber, required, sharedFlags, sharedUsage, usageLine } from '../cli/flags/flags.ts';
import type { ConvertOptions } from './convertBundle.ts';
import { LLAMA_VARIANTS, type LlamaVariant } from './llama/variants.ts';

export const USAGE = [
  'Usage: npm run convert -- --llm VICUNA_DIR --delta ckpt.pt --clip CLIP_DIR --out BUNDLE_DIR [options]',
  '',
  usageLine('llm', 'DIR', 'vicuna-7b-v1.5 folder: config.json, .bin shards or safetensors, tokenizer.model'),
  usageLine('delta', 'FILE', "DepictQA's ckpt.pt (LoRA + projector, and the Abstractor if the model has one)"),
  usageLine('clip', 'DIR', 'openai/clip-vit-large-patch14 folder from Hugging Face (config.json, model.safetensors);\nwithout it the bundle has no vision encoder'),
  sharedUsage('out', 'where to write the bundle (must be empty or new)'),
  usageLine('precision', 'LIST', 'comma-separated variants among q4f16,q4,fp32 (default q4f16,q4)'),
  usageLine('lora-alpha', 'N', "LoRA alpha (default 16, DepictQA's value; scale = alpha / rank)"),
  usageLine('config', 'FILE', "DepictQA's config.yaml of this model (experiments/<model>/config.yaml): how it resizes\nimages (vision_preprocess); without it DepictQA-Wild's 224 / 672, and an Abstractor\ndelta (DQ495K_Abstractor resizes to 1024 / 2048) is refused"),
  usageLine('abstractor-heads', 'N', "attention heads of the Abstractor (default: the config's nhead, else 8; not in ckpt.pt)"),
  usageLine('name', 'NAME', "model name in the manifest (default: the delta's folder name)"),
  usageLine('chunk-mb', 'N', "largest weight chunk in MB (default 1945, under the browsers' 2 GB limit)"),
  usageLine('no-fuse-qkv', '', 'decoder: separate q, k and v MatMuls (default: one packed MatMul, 2 GPU dispatches\nfewer per layer and decode step)'),
  usageLine('fuse-gate-up', '', 'decoder: one MatMul for gate and up, split afterwards (default off: the split costs\nthe dispatch it saves, and it is slower on wasm)'),
  usageLine('symmetric', '', "4-bit decoder weights without zero points: onnxruntime's WebGPU EP then runs each\nlayer's post-attention norm, gate, up and SiLU·up as one program (9 GPU dispatches per\nlayer and decode step, not 13), at a small accuracy cost (default off: zero points\nquantize with about 6% less error)"),
  usageLine('force', '', 'replace the contents of a non-empty --out'),
  usageLine('dry-run', '', 'check the inputs, print the plan and the output sizes, write nothing'),
].join('\n');

export function parseConvertArgs(argv: string[]): ConvertOptions {
  const values = parseFlags(
    argv,
    {
      llm: { type: 'string' },
      delta: { type: 'string' },
      clip: { type: 'string' },
      config: { type: 'string' },
      'abstractor-heads': { type: 'string' },
      ...sharedFlags('out', 'help'),
      precision: { type: 'string', default: 'q4f16,q4' },
      'lora-alpha': { type: 'string' },
      name: { type: 'string' },
      'chunk-mb': { type: 'string' },
      'no-fuse-qkv': { type: 'boolean', default: false },
      'fuse-gate-up': { type: 'boolean', default: false },
      symmetric: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (values.help) throw badArguments('asked for the usage', USAGE);
  const llm = required(values.llm, 'llm', 'DIR', USAGE);
  const delta = required(values.delta, 'delta', 'FILE', USAGE);
  const out = required(values.out, 'out', 'DIR', USAGE);
  const variants = values.precision.split(',').map((part) => part.trim()).filter(Boolean);
  for (const variant of variants) {
    oneOf(variant, 'precision', LLAMA_VARIANTS, USAGE);
  }
  return {
    llm,
    delta,
    ...(values.clip === undefined ? {} : { clip: values.clip }),
    ...(values.config === undefined ? {} : { config: values.config }),
    out,
    variants: variants as LlamaVariant[],
    force: values.force,
    dryRun: values['dry-run'],
    ...(values['lora-alpha'] === undefined ? {} : { loraAlpha: positiveNumber(values['lora-alpha'], 'lora-alpha', USAGE) }),
    ...(values['abstractor-heads'] === undefined ? {} : { abstractorHeads: positiveNumber(values['abstractor-heads'], 'abstractor-heads', USAGE) }),
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(values['chunk-mb'] === undefined ? {} : { chunkLimitBytes: Math.floor(positiveNumber(values['chunk-mb'], 'chunk-mb', USAGE) * 1e6) }),
    ...(values['no-fuse-qkv'] ? { fuseQkv: false } : {}),
    ...(values['fuse-gate-up'] ? { fuseGateUp: true } : {}),
    ...(values.symmetric ? { symmetric: true } : {}),
  };
}
