import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import type { BundleVariant } from '../../../src/core/bundle/manifest.ts';
import { formatBytes } from '../../../src/core/format.ts';
import { convertBundle } from '../../../converter/convertBundle.ts';
import { createProgress } from '../../../converter/progress.ts';
import { makeTinyCheckpoint } from '../../tiny/makeTinyCheckpoint.ts';

/**
 * The 7B-shaped bundle of the 7B benches: the tiny factory writes the checkpoint (Vicuna-7B shapes, random values,
 * 14.7 GB) under `scratch`, the converter makes one variant of it (no vision graph), and the checkpoint is deleted
 * as soon as the bundle exists. Returns the bundle folder; adds the two timings to `rows`.
 */
export async function make7bBundle(scratch: string, variant: BundleVariant, rows: Array<[string, string]>, log: (line: string) => void): Promise<string> {
  log('making the 7B-shaped checkpoint (14.7 GB)…');
  const checkpoint = join(scratch, 'checkpoint');
  const made = await makeTinyCheckpoint({ out: checkpoint, shape: 'llama-7b', seed: 1 });
  rows.push(['checkpoint written', `${formatBytes(made.weightBytes)} in ${(made.elapsedMs / 1000).toFixed(0)} s`]);
  log(`converting its ${variant} variant…`);
  const bundleDir = join(scratch, 'bundle');
  const started = performance.now();
  await convertBundle({ llm: made.llmDir, delta: made.deltaPath, out: bundleDir, variants: [variant], name: 'depictqa-7b-shaped', progress: createProgress() });
  rows.push([`${variant} conversion (no vision graph)`, `${((performance.now() - started) / 1000).toFixed(0)} s`]);
  await rm(checkpoint, { recursive: true, force: true });
  return bundleDir;
}
