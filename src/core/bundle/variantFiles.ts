import type { BundleManifest, BundleVariant } from './manifest.ts';

/**
 * The files one variant needs: its graphs, their weight chunks and the tokenizer, in manifest order. The engine
 * downloads these alone (a q4 user never fetches the q4f16 weights), and the cache uses them to say which
 * variants of a cached bundle work offline.
 */
export function variantFiles(manifest: BundleManifest, variant: BundleVariant): string[] {
  const wanted = new Set(manifest.tokenizer.files);
  for (const graph of manifest.graphs) {
    if (graph.variant !== variant) continue;
    wanted.add(graph.path);
    for (const chunk of graph.externalData) wanted.add(chunk);
  }
  return manifest.files.map((file) => file.path).filter((path) => wanted.has(path));
}

/** The variants whose every file is in `present`. */
export function completeVariants(manifest: BundleManifest, present: ReadonlySet<string>): BundleVariant[] {
  return manifest.variants.filter((variant) => variantFiles(manifest, variant).every((path) => present.has(path)));
}
