import { AppError } from '../src/core/errors.ts';
import { parseFlags } from '../cli/flags/parseFlags.ts';
import type { ConvertOptions } from './convertBundle.ts';
import { LLAMA_VARIANTS, type LlamaVariant } from './llama/variants.ts';

export const USAGE = `Usage: npm run convert -- --llm VICUNA_DIR --delta ckpt.pt --clip CLIP_DIR --out BUNDLE_DIR [options]

  --llm DIR            vicuna-7b-v1.5 folder: config.json, .bin shards or safetensors, tokenizer.model
  --delta FILE         DepictQA's ckpt.pt (LoRA + projector, and the Abstractor if the model has one)
  --clip DIR           openai/clip-vit-large-patch14 folder from Hugging Face (config.json, model.safetensors);
                       without it the bundle has no vision encoder
  --out DIR            where to write the bundle (must be empty or new)
  --precision LIST     comma-separated variants among q4f16,q4,fp32 (default q4f16,q4)
  --lora-alpha N       LoRA alpha (default 16, DepictQA's value; scale = alpha / rank)
  --config FILE        DepictQA's config.yaml of this model (experiments/<model>/config.yaml): how it resizes
                       images (vision_preprocess); without it DepictQA-Wild's 224 / 672, and an Abstractor
                       delta (DQ495K_Abstractor resizes to 1024 / 2048) is refused
  --abstractor-heads N attention heads of the Abstractor (default: the config's nhead, else 8; not in ckpt.pt)
  --name NAME          model name in the manifest (default: the delta's folder name)
  --chunk-mb N         largest weight chunk in MB (default 1945, under the browsers' 2 GB limit)
  --no-fuse-qkv        decoder: separate q, k and v MatMuls (default: one packed MatMul, 2 GPU dispatches
                       fewer per layer and decode step)
  --fuse-gate-up       decoder: one MatMul for gate and up, split afterwards (default off: the split costs
                       the dispatch it saves, and it is slower on wasm)
  --symmetric          4-bit decoder weights without zero points: onnxruntime's WebGPU EP then runs each
                       layer's post-attention norm, gate, up and SiLU·up as one program (9 GPU dispatches per
                       layer and decode step, not 13), at a small accuracy cost (default off: zero points
                       quantize with about 6% less error)
  --force              replace the contents of a non-empty --out
  --dry-run            check the inputs, print the plan and the output sizes, write nothing`;

export function parseConvertArgs(argv: string[]): ConvertOptions {
  const values = parseFlags(
    argv,
    {
      llm: { type: 'string' },
      delta: { type: 'string' },
      clip: { type: 'string' },
      config: { type: 'string' },
      'abstractor-heads': { type: 'string' },
      out: { type: 'string' },
      precision: { type: 'string', default: 'q4f16,q4' },
      'lora-alpha': { type: 'string' },
      name: { type: 'string' },
      'chunk-mb': { type: 'string' },
      'no-fuse-qkv': { type: 'boolean', default: false },
      'fuse-gate-up': { type: 'boolean', default: false },
      symmetric: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (values.help) throw new AppError('BAD_ARGUMENTS', USAGE);
  for (const required of ['llm', 'delta', 'out'] as const) {
    if (values[required] === undefined) throw new AppError('BAD_ARGUMENTS', `--${required} is required.\n\n${USAGE}`);
  }
  const variants = values.precision.split(',').map((part) => part.trim()).filter(Boolean);
  for (const variant of variants) {
    if (!LLAMA_VARIANTS.includes(variant as LlamaVariant)) {
      throw new AppError('BAD_ARGUMENTS', `--precision: unknown variant "${variant}" (choose among ${LLAMA_VARIANTS.join(', ')})`);
    }
  }
  return {
    llm: values.llm!,
    delta: values.delta!,
    ...(values.clip === undefined ? {} : { clip: values.clip }),
    ...(values.config === undefined ? {} : { config: values.config }),
    out: values.out!,
    variants: variants as LlamaVariant[],
    force: values.force,
    dryRun: values['dry-run'],
    ...(values['lora-alpha'] === undefined ? {} : { loraAlpha: positive(values['lora-alpha'], '--lora-alpha') }),
    ...(values['abstractor-heads'] === undefined ? {} : { abstractorHeads: positive(values['abstractor-heads'], '--abstractor-heads') }),
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(values['chunk-mb'] === undefined ? {} : { chunkLimitBytes: Math.floor(positive(values['chunk-mb'], '--chunk-mb') * 1e6) }),
    ...(values['no-fuse-qkv'] ? { fuseQkv: false } : {}),
    ...(values['fuse-gate-up'] ? { fuseGateUp: true } : {}),
    ...(values.symmetric ? { symmetric: true } : {}),
  };
}

function positive(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new AppError('BAD_ARGUMENTS', `${flag} must be a positive number, not "${text}"`);
  return value;
}
