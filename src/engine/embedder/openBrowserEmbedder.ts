import * as ort from 'onnxruntime-web/webgpu';
import type { LoadProgress } from '../../core/bundle/bundleFiles.ts';
import { checkEmbedderJson, EMBEDDER_FILES, EMBEDDER_JSON_FILES, missingEmbedderFiles, type EmbedderFilePath } from '../../core/embedder/embedderFiles.ts';
import type { EmbedderSource } from '../../core/engine/embedder.ts';
import { AppError } from '../../core/errors.ts';
import { downloadEmbedder } from './downloadEmbedder.ts';
import { openCachedEmbedder } from './embedderCache.ts';
import { embedderFolderFromFiles, type EmbedderFolder } from './embedderFolder.ts';
import type { OpenedEmbedder } from '../EngineHost.ts';
import { sentenceEmbedderOf, type ExtractorPipeline, type SentenceEmbedder } from './sentenceEmbedder.ts';

/** The name transformers.js is given for the model: only ever looked up in the files served below. */
const MODEL_ID = 'depictqa/sentence-model';

/**
 * The sentence embedder in the browser, from the source the user chose: a URL prefix (downloaded into the cache,
 * or opened from it), a picked folder (read in place), or the cache. transformers.js is served the files from there
 * (its custom cache), never from the Hub or any other address, and runs on the page's own onnxruntime-web.
 */
export async function openBrowserEmbedder(source: EmbedderSource, onProgress: (progress: LoadProgress) => void): Promise<OpenedEmbedder> {
  let folder: EmbedderFolder;
  switch (source.kind) {
    case 'url':
      folder = await downloadEmbedder(source.url, { onProgress });
      break;
    case 'files':
      folder = embedderFolderFromFiles(source.files);
      break;
    case 'cache':
      folder = await openCachedEmbedder(source.key);
      break;
    case 'path':
      throw new AppError('BAD_ARGUMENTS', 'A browser cannot open the sentence model by its disk path.', {
        hint: 'Choose its folder with the folder picker, or give its URL.',
      });
  }
  const files = await readFolder(folder);
  const bytes = [...files.values()].reduce((sum, blob) => sum + blob.size, 0);
  return { embedder: await pipelineOn(files, folder.label), source: folder.label, bytes, cacheKey: folder.cacheKey };
}

/** Every file, present and (the JSON ones) readable; an AppError naming those that are not. */
async function readFolder(folder: EmbedderFolder): Promise<Map<EmbedderFilePath, Blob>> {
  const files = new Map<EmbedderFilePath, Blob>();
  const missing: string[] = [];
  for (const path of EMBEDDER_FILES) {
    const blob = await folder.file(path);
    if (blob === null || blob.size === 0) missing.push(path);
    else files.set(path, blob);
  }
  const error = missingEmbedderFiles(folder.label, missing);
  if (error !== null) throw error;
  for (const path of EMBEDDER_JSON_FILES) checkEmbedderJson(path, await files.get(path)!.text(), folder.label);
  return files;
}

type Transformers = typeof import('@huggingface/transformers');
let transformers: Promise<Transformers> | undefined;

/**
 * transformers.js, loaded on first use (the page does not download it until a sentence model is loaded), on the
 * engine's onnxruntime-web: it imports `onnxruntime-web/webgpu` as the engine does, and the build holds one copy of
 * that module and of its wasm binary. (Handing it the module through `globalThis[Symbol.for('onnxruntime')]`
 * instead would leave it no device to run on: it then lists none.) On import transformers.js points onnxruntime's wasm
 * at a CDN and changes its log level and WebGPU power preference: those settings are put back, so the engine's
 * runtime stays as the engine set it and nothing is fetched from elsewhere.
 */
function loadTransformers(): Promise<Transformers> {
  transformers ??= (async () => {
    const saved = { wasmPaths: ort.env.wasm.wasmPaths, proxy: ort.env.wasm.proxy, logLevel: ort.env.logLevel, powerPreference: ort.env.webgpu.powerPreference };
    const module = await import('@huggingface/transformers');
    ort.env.wasm.wasmPaths = saved.wasmPaths;
    ort.env.wasm.proxy = saved.proxy;
    ort.env.logLevel = saved.logLevel;
    ort.env.webgpu.powerPreference = saved.powerPreference;
    const { env } = module;
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.useBrowserCache = false;
    env.useFSCache = false;
    env.useWasmCache = false;
    env.useCustomCache = true;
    return module;
  })();
  return transformers;
}

/** The files as transformers.js asks for them: by a path or URL ending in the file's path under MODEL_ID. */
function servedFrom(files: Map<EmbedderFilePath, Blob>) {
  const find = (request: string | Request): Response | undefined => {
    const name = typeof request === 'string' ? request : request.url;
    const at = name.indexOf(`${MODEL_ID}/`);
    if (at < 0) return undefined;
    // A Hub-style URL has resolve/<revision>/ between the id and the file.
    const path = name.slice(at + MODEL_ID.length + 1).replace(/^resolve\/[^/]+\//, '');
    const blob = files.get(path as EmbedderFilePath);
    return blob === undefined ? undefined : new Response(blob, { headers: { 'Content-Length': String(blob.size) } });
  };
  return {
    cache: { match: async (request: string | Request) => find(request), put: async () => undefined },
    // What the cache lacks (an optional file) transformers.js would fetch from a local path: it is answered here.
    fetch: async (request: string | URL | Request) => find(request instanceof URL ? request.href : request) ?? new Response(null, { status: 404 }),
  };
}

async function pipelineOn(files: Map<EmbedderFilePath, Blob>, label: string): Promise<SentenceEmbedder> {
  const { env, pipeline } = await loadTransformers();
  const served = servedFrom(files);
  env.customCache = served.cache;
  env.fetch = served.fetch as typeof fetch;
  try {
    // The wasm EP: a 22M-parameter model runs its few hundred short texts there in well under a second, beside the
    // language model on WebGPU, without a second GPU device.
    const extractor = await pipeline('feature-extraction', MODEL_ID, { local_files_only: true, dtype: 'fp32', device: 'wasm' });
    return sentenceEmbedderOf(extractor as unknown as ExtractorPipeline);
  } catch (cause) {
    throw new AppError('MODEL_LOAD_FAILED', `The sentence model from ${label} could not be opened: ${cause instanceof Error ? cause.message : String(cause)}.`, {
      hint: 'Its files may not be all-MiniLM-L6-v2 for transformers.js (config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx in fp32): download it again or choose another folder.',
      cause,
    });
  } finally {
    // The files are read by now: the blobs are not kept alive by the library.
    env.customCache = servedFrom(new Map()).cache;
  }
}
