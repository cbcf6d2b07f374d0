/**
 * Times the decoder graphs on onnxruntime-web's wasm EP in Node (one thread, TurboFan code):
 *   npx tsx tools/bench/decoder.ts tiny         the test model: hidden 64, 2 layers, vocab 32000
 *   npx tsx tools/bench/decoder.ts 7b-layer     ONE LLaMA-7B layer (hidden 4096, MLP 11008), vocab 256
 * For each variant, separate vs fused (q/k/v and gate/up) MatMuls: a prefill and single-token steps. Medians.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LlamaConfig } from '../../converter/checkpoint/llamaConfig.ts';
import { nodeOrt, openWrittenGraph } from '../../cli/host/ortNode.ts';
import { randomLlamaWeights } from '../oracles/randomLlama.ts';
import { gaussianMatrix } from '../testing/errorMetrics.ts';
import { writeLlamaGraphs } from '../../converter/llama/convertLlama.ts';
import { DecoderSession } from '../../converter/llama/testing/decoderSession.ts';
import { smallLlamaConfig } from '../../converter/llama/smallConfig.ts';
import type { LlamaVariant } from '../../converter/llama/variants.ts';

const shapes: Record<string, { config: LlamaConfig; prefill: number; steps: number }> = {
  tiny: {
    config: smallLlamaConfig(),
    prefill: 20,
    steps: 20,
  },
  '7b-layer': {
    config: {
      hidden_size: 4096,
      intermediate_size: 11008,
      num_attention_heads: 32,
      num_key_value_heads: 32,
      num_hidden_layers: 1,
      rms_norm_eps: 1e-5,
      rope_theta: 10000,
      max_position_embeddings: 512,
      vocab_size: 256,
    },
    prefill: 64,
    steps: 8,
  },
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const shapeName = process.argv[2] ?? 'tiny';
  const shape = shapes[shapeName];
  if (shape === undefined) throw new Error(`unknown shape ${shapeName}: use ${Object.keys(shapes).join(' or ')}`);
  const { config } = shape;
  const variants: LlamaVariant[] = shapeName === 'tiny' ? ['fp32', 'q4', 'q4f16'] : ['q4', 'q4f16'];
  await nodeOrt({ tier: 'optimized' });
  const weights = randomLlamaWeights(config, 1);
  const read = async (name: string) => weights.get(name)!.data;
  const embeds = gaussianMatrix(config.hidden_size * (shape.prefill + shape.steps), 2);
  for (const fused of [false, true]) {
    const dir = await mkdtemp(join(tmpdir(), 'bench-decoder-'));
    try {
      const startWrite = performance.now();
      const graphs = await writeLlamaGraphs(config, read, dir, { variants, fuseQkv: fused, fuseGateUp: fused });
      const writeMs = performance.now() - startWrite;
      for (const graph of graphs) {
        const session = await DecoderSession.create(await openWrittenGraph(dir, graph.decoder), config, graph.variant);
        const prefillMs: number[] = [];
        const stepMs: number[] = [];
        for (let repeat = 0; repeat < 5; repeat++) {
          session.reset();
          let start = performance.now();
          await session.step(embeds.subarray(0, shape.prefill * config.hidden_size));
          prefillMs.push(performance.now() - start);
          for (let s = 0; s < shape.steps; s++) {
            const row = (shape.prefill + s) * config.hidden_size;
            start = performance.now();
            await session.step(embeds.subarray(row, row + config.hidden_size));
            stepMs.push(performance.now() - start);
          }
        }
        console.log(
          `${shapeName} ${graph.variant.padEnd(5)} ${fused ? 'fused   ' : 'separate'}: prefill ${shape.prefill} tokens ${median(prefillMs).toFixed(1)} ms, ` +
            `one-token step ${median(stepMs).toFixed(2)} ms (graphs written in ${writeMs.toFixed(0)} ms)`,
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

await main();
