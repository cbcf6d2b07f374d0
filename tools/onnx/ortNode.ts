/**
 * onnxruntime-web's wasm EP in Node, for tests and benchmarks of the graphs the converter writes: the same
 * kernels the browser runs. Two Node quirks are handled here: the bundle cannot `fetch` its .wasm from a file
 * URL (so the bytes are handed over), and its threaded mode looks up the CPU count with a `require` that ES
 * modules lack (so the thread count is always set). One thread: pthread workers do not start under Node.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web/webgpu';
import { GraphBuilder } from './GraphBuilder.ts';
import type { WrittenGraph } from './ModelWriter.ts';

let ready: Promise<typeof ort> | undefined;

/** onnxruntime-web, set up for Node and started. */
export function nodeOrt(): Promise<typeof ort> {
  ready ??= (async () => {
    const wasmPath = createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm');
    ort.env.wasm.wasmBinary = await readFile(wasmPath);
    ort.env.wasm.numThreads = 1;
    // The first session starts the wasm runtime (seconds on a busy machine): pay it here, once, so that callers
    // can do it in a `beforeAll` with a long timeout and keep their tests' timeouts short.
    const graph = new GraphBuilder('warm_up');
    graph.input('x', 'float32', [1]);
    graph.node('Identity', ['x'], ['y']);
    graph.output('y', 'float32', [1]);
    await ort.InferenceSession.create(graph.toBytes({ opsets: [{ domain: '', version: 17 }] }), { executionProviders: ['wasm'] });
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
