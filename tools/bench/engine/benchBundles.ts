/**
 * The engine bench's bundles: the tiny test model and the ~100M-parameter synthetic model, each written in the
 * original formats and converted by the real converter (the variants asked for, q4 by default, with its vision graph).
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { graphsFor, type BundleManifest, type BundleVariant } from '../../../src/core/bundle/manifest.ts';
import { convertBundle } from '../../../converter/convertBundle.ts';
import { SILENT_PROGRESS } from '../../../converter/progress.ts';
import { makeTinyCheckpoint } from '../../tiny/makeTinyCheckpoint.ts';
import { SHAPES } from '../../tiny/shapes.ts';
import { BENCH_100M_SHAPE, llamaParameters, writeSyntheticCheckpoint } from './syntheticCheckpoint.ts';
import { readBundleManifest } from '../../../cli/host/folderBundle.ts';

export type BenchModel = 'tiny' | '100m';

export interface BenchBundle {
  model: BenchModel;
  bundleDir: string;
  /** LLaMA matrix parameters (layers, embedding table, lm_head). */
  parameters: number;
  manifest: BundleManifest;
  buildSeconds: number;
}


/** The bundle of `model` under `root`: the one already there (from an earlier run), or a new one. */
export async function buildBenchBundle(root: string, model: BenchModel, variants: readonly BundleVariant[] = ['q4']): Promise<BenchBundle> {
  const started = performance.now();
  const original = join(root, `${model}-original`);
  const bundleDir = join(root, `${model}-bundle`);
  const shape = model === 'tiny' ? SHAPES.tiny : BENCH_100M_SHAPE;
  if (existsSync(join(bundleDir, 'manifest.json'))) {
    const manifest = await readBundleManifest(bundleDir);
    if (variants.every((variant) => manifest.variants.includes(variant))) return { model, bundleDir, parameters: llamaParameters(shape.llm), manifest, buildSeconds: 0 };
  }
  await rm(original, { recursive: true, force: true });
  await rm(bundleDir, { recursive: true, force: true });
  const written =
    model === 'tiny' ? await makeTinyCheckpoint({ out: original, seed: 3 }) : await writeSyntheticCheckpoint(original, BENCH_100M_SHAPE, 3);
  await convertBundle({ llm: written.llmDir, delta: written.deltaPath, clip: written.clipDir, out: bundleDir, variants: [...variants], progress: SILENT_PROGRESS });
  const manifest = await readBundleManifest(bundleDir);
  return { model, bundleDir, parameters: llamaParameters(shape.llm), manifest, buildSeconds: (performance.now() - started) / 1000 };
}

/**
 * Bytes of the decoder graph of `variant` (its .onnx and external-data chunks): what one decode step reads,
 * every matrix once (the KV cache and activations come on top).
 */
export function decoderWeightBytes(manifest: BundleManifest, variant: BundleVariant): number {
  const decoder = graphsFor(manifest, variant).get('decoder');
  if (decoder === undefined) throw new Error(`the bundle has no ${variant} decoder`);
  const paths = new Set([decoder.path, ...decoder.externalData]);
  return manifest.files.filter((file) => paths.has(file.path)).reduce((sum, file) => sum + file.bytes, 0);
}
