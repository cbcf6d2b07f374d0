/**
 * npm run convert -- --llm DIR --delta ckpt.pt --out OUT [--precision q4f16,q4,fp32] [--lora-alpha 16]
 *                    [--name NAME] [--chunk-mb N] [--force] [--dry-run]
 */
import { AppError } from '../../src/core/errors.ts';
import { formatBytes } from '../../src/core/format.ts';
import { parseConvertArgs } from './args.ts';
import { convertBundle } from './convertBundle.ts';
import { createProgress } from './progress.ts';

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
  if (plan.visionKeys.length > 0) progress.log(`Delta keys for the vision converter: ${plan.visionKeys.length} (not used by the language model)`);
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
