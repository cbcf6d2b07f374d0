/**
 * Times the reference at the tiny bundle's shape (hidden 64, 2 layers, vocab 32000).
 * Run: npx tsx tools/bench/oracleLlama.ts
 */
import { LlamaReference } from '../oracles/llama.ts';
import { randomLlamaWeights, spreadTokenIds, TINY_LLAMA_FULL_VOCAB } from '../oracles/randomLlama.ts';

const config = TINY_LLAMA_FULL_VOCAB;
const model = new LlamaReference(config, randomLlamaWeights(config, 7));
const prompt = spreadTokenIds(50, config.vocab_size);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

const prefillAllMs: number[] = [];
const prefillLastMs: number[] = [];
const stepMs: number[] = [];
const greedyMs: number[] = [];
for (let round = 0; round < 7; round++) {
  model.reset();
  prefillAllMs.push(time(() => model.forward(prompt))); // logits [50, 32000]
  stepMs.push(time(() => model.forward([42]))); // logits [1, 32000]
  model.reset();
  prefillLastMs.push(time(() => model.forwardLast(prompt))); // logits [32000]
  greedyMs.push(time(() => model.greedy(prompt, 8, null)));
}
console.log(`prefill 50 tokens, all logits [50, 32000]: ${median(prefillAllMs).toFixed(1)} ms (median of 7)`);
console.log(`prefill 50 tokens, last logits only:        ${median(prefillLastMs).toFixed(1)} ms`);
console.log(`one decode step at position 50:             ${median(stepMs).toFixed(1)} ms`);
console.log(`greedy: prefill 50 + 8 new tokens:          ${median(greedyMs).toFixed(1)} ms`);
