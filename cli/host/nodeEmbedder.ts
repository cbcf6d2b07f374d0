/**
 * The sentence embedder of the detailed-answer confidence in Node, from a folder in transformers.js layout
 * (all-MiniLM-L6-v2 exported for transformers.js, or the tiny test model that `npm run tiny` writes to
 * OUT/embedder). The folder is checked first, so a wrong path fails with what is missing instead of a stack trace.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EMBEDDER_FILES as EMBEDDER_FILE_PATHS } from '../../src/core/embedder/embedderFiles.ts';
import type { EmbedderSource } from '../../src/core/engine/embedder.ts';
import { AppError } from '../../src/core/errors.ts';
import type { OpenedEmbedder } from '../../src/engine/EngineHost.ts';
import { loadSentenceEmbedder } from '../../src/engine/embedder/loadSentenceEmbedder.ts';

/** What transformers.js reads for a `feature-extraction` pipeline from local files, as paths of this platform. */
export const EMBEDDER_FILES = EMBEDDER_FILE_PATHS.map((path) => join(...path.split('/')));

const LAYOUT_HINT =
  'Give a folder with config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx (all-MiniLM-L6-v2 for transformers.js; `npm run tiny -- --out DIR` writes a tiny one to DIR/embedder).';

export async function openEmbedderFolder(source: EmbedderSource): Promise<OpenedEmbedder> {
  if (source.kind !== 'path') {
    throw new AppError('BAD_ARGUMENTS', `The Node engine reads the sentence embedder from a folder, not from a ${source.kind} source.`, {
      hint: 'Download the embedder to a folder and pass its path.',
    });
  }
  const dir = await checkEmbedderFolder(source.path);
  let bytes = 0;
  for (const file of EMBEDDER_FILES) bytes += (await stat(join(dir, file))).size;
  return { embedder: await loadSentenceEmbedder(dir), source: source.path, bytes, cacheKey: null };
}

/** The folder's absolute path once it holds every file the pipeline reads; else an AppError naming what is missing. */
export async function checkEmbedderFolder(path: string): Promise<string> {
  const dir = resolve(path);
  const info = await stat(dir).catch(() => null);
  if (info === null || !info.isDirectory()) {
    throw new AppError('FILE_NOT_FOUND', `${path}: ${info === null ? 'no such folder' : 'not a folder'} for the sentence embedder.`, { hint: LAYOUT_HINT });
  }
  const missing: string[] = [];
  for (const file of EMBEDDER_FILES) {
    const found = await stat(join(dir, file)).catch(() => null);
    if (found === null || !found.isFile()) missing.push(file);
  }
  if (missing.length > 0) {
    throw new AppError('MODEL_LOAD_FAILED', `${path} is not a sentence-embedder folder: it lacks ${missing.join(', ')}.`, { hint: LAYOUT_HINT });
  }
  return dir;
}
