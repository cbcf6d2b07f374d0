import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { convertBundle } from '../../converter/convertBundle.ts';
import type { LlamaVariant } from '../../converter/llama/variants.ts';
import { makeTinyCheckpoint } from '../tiny/makeTinyCheckpoint.ts';

const repoRoot = resolve(import.meta.dirname, '../..');

/** What the demo bundle is made of; part of its cache key. */
const RECIPE = { seed: 0, variants: ['q4f16', 'q4'] satisfies LlamaVariant[], name: 'tiny-random-demo', vision: true };

/** The modules whose code decides the bundle's bytes: the tiny factory and the converter, with all they import. */
export const BUNDLE_SOURCES = ['tools/tiny/makeTinyCheckpoint.ts', 'converter/convertBundle.ts'];

/**
 * The files a module reads through relative imports, transitively, itself included (repository-relative, sorted).
 * Static and dynamic `import … from './x.ts'`, `export … from`, `import('./x.ts')`; packages are not followed
 * (package-lock.json stands for them).
 */
export async function importClosure(entries: readonly string[], root = repoRoot): Promise<string[]> {
  const seen = new Set<string>();
  const pending = entries.map((entry) => resolve(root, entry));
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    if (!/\.[cm]?[jt]sx?$/.test(file)) continue;
    const text = await readFile(file, 'utf8');
    for (const match of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) pending.push(resolve(dirname(file), match[1]!));
  }
  return [...seen].map((file) => relative(root, file)).sort();
}

/**
 * The demo bundle's cache key: a digest of the recipe, of every source file the tiny factory and the converter
 * run (`importClosure`) and of package-lock.json (the exact packages that write ONNX and hash). Any change that
 * could change the converter's output changes the key; a rebuild costs seconds, so a false change is cheap.
 */
export async function demoBundleKey(root = repoRoot, sources: readonly string[] = BUNDLE_SOURCES): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify(RECIPE));
  for (const path of [...(await importClosure(sources, root)), 'package-lock.json']) {
    const full = join(root, path);
    // Path and length before the bytes, so that moving text from one file to the next changes the digest.
    const bytes = existsSync(full) ? await readFile(full) : Buffer.alloc(0);
    hash.update(`${path}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest('hex').slice(0, 16);
}

export interface DemoBundle {
  /** The bundle folder (manifest.json, graphs, weights, tokenizer). */
  dir: string;
  key: string;
  /** False when it came from the cache. */
  built: boolean;
}

/**
 * The tiny random model as a web bundle under `cacheDir/<key>/`, built on first use and whenever the key
 * changes (older keys are deleted). The converter writes into a staging folder and renames it at the end, so a
 * folder with a manifest.json is a whole bundle; an interrupted build is started again.
 */
export async function ensureDemoBundle(options: { cacheDir?: string; rebuild?: boolean; log?: (line: string) => void } = {}): Promise<DemoBundle> {
  const cacheDir = options.cacheDir ?? join(repoRoot, '.cache', 'demo-bundle');
  const log = options.log ?? (() => {});
  const key = await demoBundleKey();
  const dir = join(cacheDir, key);
  if (options.rebuild !== true && existsSync(join(dir, 'manifest.json'))) return { dir, key, built: false };

  // 1. Older bundles (another converter's) and leftovers of an interrupted build go.
  for (const name of existsSync(cacheDir) ? await readdir(cacheDir) : []) await rm(join(cacheDir, name), { recursive: true, force: true });

  // 2. The tiny checkpoint in the original formats, then the real converter, as `npm run tiny` and `npm run convert` do.
  const started = performance.now();
  const work = join(cacheDir, `checkpoint-${key}`);
  log(`Building the demo bundle (tiny random model, ${RECIPE.variants.join(' and ')}) in ${relative(process.cwd(), dir) || '.'} …`);
  try {
    const tiny = await makeTinyCheckpoint({ out: work, seed: RECIPE.seed });
    await convertBundle({
      llm: tiny.llmDir,
      delta: tiny.deltaPath,
      ...(RECIPE.vision ? { clip: tiny.clipDir } : {}),
      out: dir,
      variants: RECIPE.variants,
      name: RECIPE.name,
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  log(`Built in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  return { dir, key, built: true };
}
