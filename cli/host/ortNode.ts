/**
 * onnxruntime-web's wasm EP in Node, for tests and benchmarks of the graphs the converter writes: the same
 * kernels the browser runs. Node quirks handled here:
 * - the bundle cannot `fetch` its .wasm from a file URL, so the bytes are handed over;
 * - its threaded mode reads the CPU count with a `require` that ES modules lack, and its pthread workers are
 *   fetched from a file URL too, so it runs on one thread;
 * - V8 compiles the 26 MB module with TurboFan in the background, and Node blocks the event loop until that
 *   finishes whenever the loop runs dry (NodePlatform::DrainTasks): 40–90 s on a busy 2-core machine. Tests use
 *   baseline (Liftoff-only) code, which starts in about a second; benchmarks ask for optimised code and wait.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import v8 from 'node:v8';
import * as ort from 'onnxruntime-web/webgpu';
import { GraphBuilder } from '../../converter/onnx/GraphBuilder.ts';
import type { WrittenGraph } from '../../converter/onnx/ModelWriter.ts';

let ready: Promise<typeof ort> | undefined;
let readyTier: 'baseline' | 'optimized' | undefined;

/**
 * onnxruntime-web, set up for Node and started. `tier: 'optimized'` (benchmarks) lets V8 compile the wasm
 * with TurboFan and waits for it; the default 'baseline' sets V8's --liftoff-only for this process (tests).
 */
export function nodeOrt(options: { tier?: 'baseline' | 'optimized' } = {}): Promise<typeof ort> {
  const tier = options.tier ?? readyTier ?? 'baseline';
  if (ready !== undefined) {
    if (tier !== readyTier) throw new Error(`onnxruntime-web already started with ${readyTier} wasm code in this process`);
    return ready;
  }
  readyTier = tier;
  ready = (async () => {
    // Optimised: compile every function with TurboFan up front, so that timings do not include tier-up.
    v8.setFlagsFromString(tier === 'baseline' ? '--liftoff-only' : '--no-wasm-dynamic-tiering');
    const wasmPath = createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm');
    ort.env.wasm.wasmBinary = await readFile(wasmPath);
    ort.env.wasm.numThreads = 1;
    // The first session starts the wasm runtime: pay it here, once, so that callers can do it in a
    // `beforeAll` with a long timeout and keep their tests' timeouts short.
    const graph = new GraphBuilder('warm_up');
    graph.input('x', 'float32', [1]);
    graph.node('Identity', ['x'], ['y']);
    graph.output('y', 'float32', [1]);
    await ort.InferenceSession.create(graph.toBytes({ opsets: [{ domain: '', version: 17 }] }), { executionProviders: ['wasm'] });
    // An fs request completes only after the blocking drain described above, i.e. once TurboFan is done.
    if (tier === 'optimized') await readFile(wasmPath, { flag: 'r' }).then(() => undefined);
    return ort;
  })();
  return ready;
}

/** Opens a graph written by `ModelWriter` from `dir` on the wasm EP, handing over its external data chunks. */
export async function openWrittenGraph(dir: string, graph: WrittenGraph): Promise<ort.InferenceSession> {
  const runtime = await nodeOrt();
  const model = await readFile(join(dir, graph.model.name));
  const externalData = await Promise.all(
    graph.data.map(async (file) => ({ path: file.name, data: new Uint8Array(await readFile(join(dir, file.name))) })),
  );
  return runtime.InferenceSession.create(model, { executionProviders: ['wasm'], externalData });
}
