import type { BundleFiles } from '../../../src/core/bundle/bundleFiles.ts';

/**
 * `files` with nothing but its manifest, label and whole reads, each whole read recorded in `wholeReads`: a test
 * adds back the one way of reading in parts (or in place) that it checks, so that nothing else can serve a chunk.
 */
export function recordWholeReads(files: BundleFiles): { files: BundleFiles; wholeReads: string[] } {
  const wholeReads: string[] = [];
  return {
    files: {
      manifest: files.manifest,
      label: files.label,
      read: (path) => {
        wholeReads.push(path);
        return files.read(path);
      },
    },
    wholeReads,
  };
}
