import { AppError } from '../../src/core/errors.ts';
import { parseFlags } from '../../cli/flags/parseFlags.ts';
import type { TinyCheckpointOptions } from './makeTinyCheckpoint.ts';
import { isShapeName, SHAPES } from './shapes.ts';

export const USAGE = `Usage: npm run tiny -- --out DIR [--seed N] [--shape tiny|llama-7b] [--llm-format bin|safetensors] [--abstractor]
       [--delta-layout deepspeed|per-tensor]

Writes a deterministic random DepictQA checkpoint in the original formats:
  DIR/llm/    Vicuna-style config.json, fp16 weights (.bin shards or safetensors) and tokenizer files
  DIR/clip/   CLIPVisionModel config.json and fp32 model.safetensors
  DIR/delta/  DepictQA's ckpt.pt (LoRA factors and vision projector, fp16), laid out as DeepSpeed saves it
  DIR/embedder/  a tiny random BERT sentence embedder for transformers.js (config.json, tokenizer.json,
              tokenizer_config.json, onnx/model.onnx; model.safetensors for PyTorch)

  --out DIR         output folder (created; must be empty)
  --seed N          0…4294967295 (default 0); the same seed writes byte-identical files
  --shape NAME      tiny (default; LLaMA hidden 64, 2 layers; CLIP hidden 64, 2 layers)
                    or llama-7b (Vicuna-7B and ViT-L/14 shapes, about 15 GB)
  --llm-format F    bin (default, as Vicuna ships) or safetensors
  --abstractor      also write DepictQA's Abstractor (64 queries, 4 decoder layers) into the delta
  --delta-layout L  deepspeed (default: every tensor a view into one flat fp16 storage, located cuda:0, no
                    byteorder record) or per-tensor (one storage each, on the CPU, as plain torch.save)`;

export function parseCliArgs(argv: string[]): TinyCheckpointOptions | 'help' {
  const values = parseFlags(
    argv,
    {
      out: { type: 'string' },
      seed: { type: 'string' },
      shape: { type: 'string' },
      'llm-format': { type: 'string' },
      abstractor: { type: 'boolean' },
      'delta-layout': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) return 'help';
  if (!values.out) throw new AppError('BAD_ARGUMENTS', '--out DIR is required', { hint: USAGE });
  const seed = values.seed === undefined ? 0 : Number(values.seed);
  if (values.seed !== undefined && !/^\d+$/.test(values.seed)) throw new AppError('BAD_ARGUMENTS', `--seed ${values.seed} is not a non-negative integer`);
  const shape = values.shape ?? 'tiny';
  if (!isShapeName(shape)) throw new AppError('BAD_ARGUMENTS', `--shape ${shape} is not one of ${Object.keys(SHAPES).join(', ')}`);
  const llmFormat = values['llm-format'] ?? 'bin';
  if (llmFormat !== 'bin' && llmFormat !== 'safetensors') throw new AppError('BAD_ARGUMENTS', `--llm-format ${llmFormat} is not bin or safetensors`);
  const deltaLayout = values['delta-layout'] ?? 'deepspeed';
  if (deltaLayout !== 'deepspeed' && deltaLayout !== 'per-tensor') throw new AppError('BAD_ARGUMENTS', `--delta-layout ${deltaLayout} is not deepspeed or per-tensor`);
  return { out: values.out, seed, shape, llmFormat, deltaLayout, ...(values.abstractor ? { abstractor: true } : {}) };
}
