/**
 * npm run convert -- --llm DIR --delta ckpt.pt --clip DIR --out OUT [--precision q4f16,q4,fp32] [--lora-alpha 16]
 *                    [--abstractor-heads 8] [--name NAME] [--chunk-mb N] [--no-fuse-qkv] [--fuse-gate-up] [--force] [--dry-run]
 */
import { AppError } from '../src/core/errors.ts';
import { formatBytes } from '../src/core/format.ts';
import { parseConvertArgs } from '../converter/args.ts';
import { convertBundle } from '../converter/convertBundle.ts';
import { createProgress } from '../converter/progress.ts';

async function main(): Promise<void> {
  const options = parseConvertArgs(process.argv.slice(2));
  const progress = createProgress();
  const started = performance.now();
  const { plan, manifest } = await convertBundle({ ...options, progress });
  const c = plan.config;
  progress.log(
    `LLaMA: ${c.num_hidden_layers} layers, hidden ${c.hidden_size}, ${c.num_attention_heads} heads (${c.num_key_value_heads} kv), ` +
      `MLP ${c.intermediate_size}, vocab ${c.vocab_size}; LoRA rank ${plan.loraRank} on ${plan.loraPairs} projections`,
  );
  const v = plan.vision;
  if (v !== null) {
    const tokens = v.abstractor === null ? 'one row per 14×14 patch' : `Abstractor: ${v.abstractor.numLayers} layers, ${v.abstractor.numQueries} rows per image`;
    progress.log(`Vision: CLIP ${v.clip.num_hidden_layers} layers, hidden ${v.clip.hidden_size}, ${v.clip.num_attention_heads} heads, MLP ${v.clip.intermediate_size}; ${tokens}`);
  } else {
    progress.log(`Vision: no --clip, so the bundle has no vision encoder (the delta's ${plan.visionKeys.length} vision tensors are not used)`);
  }
  for (const [variant, bytes] of Object.entries(plan.variantBytes)) progress.log(`  ${variant}: about ${formatBytes(bytes)}`);
  if (manifest === undefined) {
    progress.log(`Dry run: would write about ${formatBytes(plan.totalBytes)} to ${options.out}; nothing was written.`);
    return;
  }
  const written = manifest.files.reduce((sum, file) => sum + file.bytes, 0);
  const seconds = (performance.now() - started) / 1000;
  progress.log(`Wrote ${manifest.files.length} files (${formatBytes(written)}) to ${options.out} in ${seconds.toFixed(1)} s.`);
}

main().catch((error: unknown) => {
  if (error instanceof AppError) {
    process.stderr.write(`convert: ${error.message}${error.hint ? `\n  ${error.hint}` : ''}\n`);
    process.exit(error.code === 'BAD_ARGUMENTS' ? 2 : 1);
  }
  process.stderr.write(`convert: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
