import type * as OrtModule from 'onnxruntime-web/webgpu';
import type { BundleFiles, FileSlices } from '../../core/bundle/bundleFiles.ts';
import type { GraphSpec } from '../../core/bundle/manifest.ts';
import type { Backend } from '../../core/capabilities.ts';
import { AppError } from '../../core/errors.ts';
import { opensGraphsFromDisk, readsExternalDataInSlices, SlicedFileBytes } from './externalData.ts';
import { modelLoadError } from './loadFailure.ts';

/** onnxruntime-web's WebGPU build (its wasm EP included), configured for the environment by the host. */
export type Ort = typeof OrtModule;
export type OrtSession = OrtModule.InferenceSession;
export type OrtTensor = OrtModule.Tensor;

export interface GraphSessionOptions {
  backend: Backend;
  /** WebGPU only: outputs to leave on the GPU (e.g. the KV cache); the others come back to the CPU. */
  gpuOutputs?: readonly string[];
  /** WebGPU only: fail rather than run unsupported nodes on the CPU (tests use it to prove a pass ran on the GPU). */
  disableCpuFallback?: boolean;
  /** WebGPU only: capture the graph at its first run and replay it after (see `CapturedDecodeStep`). */
  graphCapture?: boolean;
}

/**
 * Opens one graph of the bundle, reading its .onnx and external-data chunks through `files` only. External data
 * paths are handed to onnxruntime relative to the .onnx file, as ONNX records them. Three ways, by runtime:
 * - onnxruntime-node with a bundle on this machine's disk (`files.localPath`): every file is verified where it
 *   lies, then the session is created from the .onnx's path and onnxruntime reads the chunks itself, natively;
 * - onnxruntime-web with a bundle that reads files in parts: each chunk is read one initializer at a time while the
 *   session is created (see SlicedFileBytes);
 * - otherwise each chunk is read whole into JS memory and handed over.
 * In the first two, JS memory never holds a whole chunk.
 */
export async function openGraphSession(ort: Ort, files: BundleFiles, graph: GraphSpec, options: GraphSessionOptions): Promise<OrtSession> {
  if (files.localPath !== undefined && opensGraphsFromDisk(ort)) return openInPlace(ort, files, graph, options);
  const folder = graph.path.includes('/') ? graph.path.slice(0, graph.path.lastIndexOf('/') + 1) : '';
  const model = await files.read(graph.path);
  const sliced = files.openSlices !== undefined && readsExternalDataInSlices(ort);
  const opened: FileSlices[] = [];
  const slicedChunks: SlicedFileBytes[] = [];
  try {
    const externalData: Array<{ path: string; data: Uint8Array }> = [];
    for (const path of graph.externalData) {
      let data: Uint8Array;
      if (sliced) {
        const slices = await files.openSlices!(path);
        opened.push(slices);
        data = new SlicedFileBytes(slices);
        slicedChunks.push(data as SlicedFileBytes);
      } else {
        data = await files.read(path);
      }
      externalData.push({ path: path.startsWith(folder) ? path.slice(folder.length) : path, data });
    }
    return await createSession(ort, files, graph, model, externalData, options);
  } catch (error) {
    // A chunk that could not be read says why better than onnxruntime's status does.
    throw slicedChunks.find((chunk) => chunk.readError !== null)?.readError ?? error;
  } finally {
    for (const slices of opened) slices.close();
  }
}

/**
 * The graph opened where it lies: the .onnx and every chunk verified on disk first (a damaged file fails here,
 * before onnxruntime reads anything), then the session created from the .onnx's path, with no `externalData`.
 */
async function openInPlace(ort: Ort, files: BundleFiles, graph: GraphSpec, options: GraphSessionOptions): Promise<OrtSession> {
  const paths = [graph.path, ...graph.externalData];
  const local: string[] = [];
  for (const path of paths) local.push(await files.localPath!(path));
  // onnxruntime looks for each chunk at the location the .onnx records, relative to the .onnx's folder: that is
  // the file verified here only if every file lies at its manifest path under one root.
  const root = withSlashes(local[0]!).slice(0, -graph.path.length);
  paths.forEach((path, i) => {
    if (withSlashes(local[i]!) !== root + path || !root.endsWith('/')) {
      throw new AppError('INTERNAL', `${files.label}: ${path} lies at ${local[i]}, outside the bundle's layout beside ${local[0]}`);
    }
  });
  return createSession(ort, files, graph, local[0]!, undefined, options);
}

function withSlashes(path: string): string {
  return path.replaceAll('\\', '/');
}

async function createSession(
  ort: Ort,
  files: BundleFiles,
  graph: GraphSpec,
  /** The .onnx's bytes, or its path on disk (onnxruntime-node then reads the external data beside it). */
  model: Uint8Array | string,
  externalData: Array<{ path: string; data: Uint8Array }> | undefined,
  options: GraphSessionOptions,
): Promise<OrtSession> {
  const sessionOptions: OrtModule.InferenceSession.SessionOptions = {
    executionProviders: [options.backend],
    graphOptimizationLevel: 'all',
    ...(externalData === undefined ? {} : { externalData }),
  };
  if (options.backend === 'webgpu') {
    // A captured session's outputs are all bound GPU tensors (onnxruntime-web takes no other location then).
    const gpu = new Set(options.graphCapture === true ? graph.outputs.map((output) => output.name) : (options.gpuOutputs ?? []));
    sessionOptions.preferredOutputLocation = Object.fromEntries(graph.outputs.map((output) => [output.name, gpu.has(output.name) ? 'gpu-buffer' : 'cpu']));
    if (options.disableCpuFallback === true) sessionOptions.extra = { session: { disable_cpu_ep_fallback: '1' } };
    if (options.graphCapture === true) sessionOptions.enableGraphCapture = true;
  }
  try {
    return await (typeof model === 'string' ? ort.InferenceSession.create(model, sessionOptions) : ort.InferenceSession.create(model, sessionOptions));
  } catch (cause) {
    throw modelLoadError(files.label, graph, options.backend, cause);
  }
}

/** Runs a session, turning onnxruntime's exceptions into MODEL_RUN_FAILED naming the graph. */
export async function runSession(
  session: OrtSession,
  what: string,
  feeds: OrtModule.InferenceSession.FeedsType,
  fetches?: OrtModule.InferenceSession.FetchesType,
): Promise<OrtModule.InferenceSession.ReturnType> {
  try {
    return fetches === undefined ? await session.run(feeds) : await session.run(feeds, fetches);
  } catch (cause) {
    throw new AppError('MODEL_RUN_FAILED', `The ${what} failed: ${describe(cause)}`, {
      hint: 'Try again; if it fails again, reload the model or choose the CPU backend.',
      cause,
    });
  }
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
