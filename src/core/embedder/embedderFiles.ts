import { AppError } from '../errors.ts';

/**
 * The sentence embedder of the detailed-answer confidence as files: what transformers.js reads for a
 * `feature-extraction` pipeline in fp32 (all-MiniLM-L6-v2 exported for transformers.js, or the tiny test model
 * that `npm run tiny` writes to OUT/embedder). One list for every source: a URL prefix, a folder, the cache.
 */
export const EMBEDDER_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'] as const;

export type EmbedderFilePath = (typeof EMBEDDER_FILES)[number];

/** The files that must parse as JSON before transformers.js reads them (its own errors do not name the file). */
export const EMBEDDER_JSON_FILES: readonly EmbedderFilePath[] = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];

/** The public all-MiniLM-L6-v2 for transformers.js: fetched only when the user asks for it. */
export const PUBLIC_EMBEDDER_URL = 'https://huggingface.co/Xenova/all-MiniLM-L6-v2/resolve/main/';

export const EMBEDDER_FOLDER_HINT =
  'Choose a folder with config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx: all-MiniLM-L6-v2 for transformers.js (e.g. Xenova/all-MiniLM-L6-v2), or what `npm run tiny -- --out DIR` writes to DIR/embedder.';

/** A URL prefix with exactly one trailing slash, resolved against the page, so `prefix + path` is a file's URL. */
export function embedderPrefix(url: string, base?: string): string {
  let resolved: URL;
  try {
    resolved = new URL(url.trim(), base);
  } catch (cause) {
    throw new AppError('BAD_ARGUMENTS', `"${url}" is not a URL for the sentence model.`, {
      hint: `Give the folder URL that holds config.json and onnx/model.onnx, e.g. ${PUBLIC_EMBEDDER_URL}`,
      cause,
    });
  }
  if (resolved.protocol !== 'https:' && resolved.protocol !== 'http:') {
    throw new AppError('BAD_ARGUMENTS', `The sentence model URL must start with https:// or http:// (got ${resolved.protocol}).`, {
      hint: `Give the folder URL that holds config.json and onnx/model.onnx, e.g. ${PUBLIC_EMBEDDER_URL}`,
    });
  }
  resolved.search = '';
  resolved.hash = '';
  return resolved.href.replace(/\/*$/, '/');
}

/**
 * The sentence-model URL the page starts with: `?embedder=`, else the build's `VITE_EMBEDDER_URL`, else the
 * public all-MiniLM-L6-v2. Only a default for the field: nothing is fetched until the user asks.
 */
export function embedderUrlFromQuery(search: string, built: string | undefined): string {
  const fromQuery = new URLSearchParams(search).get('embedder');
  if (fromQuery !== null && fromQuery.trim() !== '') return fromQuery.trim();
  if (built !== undefined && built.trim() !== '') return built.trim();
  return PUBLIC_EMBEDDER_URL;
}

/** Which of the embedder's files a source lacks, as an error naming them; null when none is missing. */
export function missingEmbedderFiles(where: string, missing: readonly string[]): AppError | null {
  if (missing.length === 0) return null;
  return new AppError('MODEL_LOAD_FAILED', `${where} is not a sentence model: it lacks ${missing.join(', ')}.`, { hint: EMBEDDER_FOLDER_HINT });
}

/** Checks one JSON file of the embedder: an AppError naming it when it is not JSON (an HTML error page, a cut file). */
export function checkEmbedderJson(path: string, text: string, where: string): void {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
  } catch (cause) {
    throw new AppError('MODEL_LOAD_FAILED', `${path} of the sentence model (${where}) is not a JSON object: ${cause instanceof Error ? cause.message : String(cause)}.`, {
      hint: 'The file is damaged or is not what transformers.js expects: download the sentence model again, or choose its folder again.',
      cause,
    });
  }
}

/**
 * The folder of a picked or dropped set of files that holds the embedder: the shallowest folder with config.json
 * and onnx/model.onnx, so choosing the model folder or its parent both work. Paths are relative to it; null when
 * no folder has both.
 */
export function embedderRoot(paths: readonly string[]): string | null {
  const set = new Set(paths.map((path) => path.replace(/^\/+/, '')));
  const roots = [...set]
    .filter((path) => path === 'config.json' || path.endsWith('/config.json'))
    .map((path) => path.slice(0, path.length - 'config.json'.length))
    .filter((root) => set.has(`${root}onnx/model.onnx`))
    .sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1));
  return roots[0] ?? null;
}
