/**
 * Runs a converted bundle's language model in Node on onnxruntime-web's wasm EP, reading only what the
 * manifest says: for tests and benchmarks of the converter's output.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type * as ort from 'onnxruntime-web/webgpu';
import { graphsFor, type GraphSpec } from '../../src/core/bundle/manifest.ts';
import { llamaConfigOf, type LlamaConfig } from '../checkpoint/llamaConfig.ts';
import { fromFloat16Bits } from '../onnx/float16.ts';
import { readBundleManifest } from '../../cli/host/folderBundle.ts';
import { nodeOrt } from '../../cli/host/ortNode.ts';
import { DecoderSession } from '../llama/testing/decoderSession.ts';
import type { LlamaVariant } from '../llama/variants.ts';

export async function openBundleGraph(bundleDir: string, graph: GraphSpec): Promise<ort.InferenceSession> {
  const runtime = await nodeOrt();
  const model = await readFile(join(bundleDir, graph.path));
  // ONNX locations are relative to the .onnx file.
  const externalData = await Promise.all(
    graph.externalData.map(async (path) => ({
      path: path.slice(dirname(graph.path).length + 1),
      data: new Uint8Array(await readFile(join(bundleDir, path))),
    })),
  );
  return runtime.InferenceSession.create(model, { executionProviders: ['wasm'], externalData });
}

/** embed_tokens + decoder of one variant. */
export class BundleLanguageModel {
  private constructor(
    private readonly runtime: typeof ort,
    private readonly embedSession: ort.InferenceSession,
    readonly decoder: DecoderSession,
    readonly config: LlamaConfig,
  ) {}

  static async open(bundleDir: string, variant: LlamaVariant, maxSequence?: number): Promise<BundleLanguageModel> {
    const manifest = await readBundleManifest(bundleDir);
    const graphs = graphsFor(manifest, variant);
    const config = llamaConfigOf(manifest);
    const embed = await openBundleGraph(bundleDir, graphs.get('embed_tokens')!);
    const decoder = await openBundleGraph(bundleDir, graphs.get('decoder')!);
    const cache = maxSequence === undefined ? undefined : ({ kind: 'static', maxSequence } as const);
    return new BundleLanguageModel(await nodeOrt(), embed, await DecoderSession.create(decoder, config, variant, cache), config);
  }

  /** Token ids → [seq, hidden] fp32. */
  async embed(ids: readonly number[]): Promise<Float32Array> {
    const input = new this.runtime.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
    const output = (await this.embedSession.run({ input_ids: input })).inputs_embeds!;
    return output.type === 'float16' ? fromFloat16Bits(output.data as Uint16Array) : (output.data as Float32Array);
  }
}
