import { oneOf, parseFlags, required, sharedFlags, sharedUsage, usageLine, wholeNumber } from '../../cli/flags/flags.ts';
import type { TinyCheckpointOptions } from './makeTinyCheckpoint.ts';
import { SHAPES, type ShapeName } from './shapes.ts';

export const USAGE = [
  'Usage: npm run tiny -- --out DIR [--seed N] [--shape tiny|llama-7b] [--llm-format bin|safetensors] [--abstractor]',
  '       [--delta-layout deepspeed|per-tensor]',
  '',
  'Writes a deterministic random DepictQA checkpoint in the original formats:',
  '  DIR/llm/    Vicuna-style config.json, fp16 weights (.bin shards or safetensors) and tokenizer files',
  '  DIR/clip/   CLIPVisionModel config.json and fp32 model.safetensors',
  "  DIR/delta/  DepictQA's ckpt.pt (LoRA factors and vision projector, fp16), laid out as DeepSpeed saves it",
  '  DIR/embedder/  a tiny random BERT sentence embedder for transformers.js (config.json, tokenizer.json,',
  '              tokenizer_config.json, onnx/model.onnx; model.safetensors for PyTorch)',
  '',
  sharedUsage('out', 'output folder (created; must be empty)'),
  usageLine('seed', 'N', '0…4294967295 (default 0); the same seed writes byte-identical files'),
  usageLine('shape', 'NAME', 'tiny (default; LLaMA hidden 64, 2 layers; CLIP hidden 64, 2 layers)\nor llama-7b (Vicuna-7B and ViT-L/14 shapes, about 15 GB)'),
  usageLine('llm-format', 'F', 'bin (default, as Vicuna ships) or safetensors'),
  usageLine('abstractor', '', "also write DepictQA's Abstractor (64 queries, 4 decoder layers) into the delta"),
  usageLine('delta-layout', 'L', 'deepspeed (default: every tensor a view into one flat fp16 storage, located cuda:0, no\nbyteorder record) or per-tensor (one storage each, on the CPU, as plain torch.save)'),
].join('\n');

export function parseCliArgs(argv: string[]): TinyCheckpointOptions | 'help' {
  const values = parseFlags(
    argv,
    {
      ...sharedFlags('out', 'help'),
      seed: { type: 'string', default: '0' },
      shape: { type: 'string', default: 'tiny' },
      'llm-format': { type: 'string', default: 'bin' },
      abstractor: { type: 'boolean', default: false },
      'delta-layout': { type: 'string', default: 'deepspeed' },
    },
    USAGE,
  );
  if (values.help) return 'help';
  const out = required(values.out, 'out', 'DIR', USAGE);
  const seed = wholeNumber(values.seed, 'seed', 0, USAGE);
  const shape = oneOf(values.shape, 'shape', Object.keys(SHAPES) as ShapeName[], USAGE);
  const llmFormat = oneOf(values['llm-format'], 'llm-format', ['bin', 'safetensors'], USAGE);
  const deltaLayout = oneOf(values['delta-layout'], 'delta-layout', ['deepspeed', 'per-tensor'], USAGE);
  return { out, seed, shape, llmFormat, deltaLayout, ...(values.abstractor ? { abstractor: true } : {}) };
}
