import { guardedRun } from '../../src/engine/gpu/guardedRun.ts';
import type { LoadedModel } from '../../src/engine/openModel.ts';
import type { ScopeTimings } from './protocol.ts';

const STEPS = 6;
const SCOPE_ROUNDS = 200;

/**
 * Decode steps of the loaded model timed without and with the GPU error scopes, alternating within one run so
 * that both see the same device, cache length and warm-up. Each step is what the answer loop does: embed one
 * token, run the decoder; the scoped variant also waits for the previous step's scopes before the next token.
 */
export async function measureScopeCost(model: LoadedModel, rounds: number): Promise<ScopeTimings> {
  const cache = model.cache;
  const lm = cache.model;
  const prompt = [1, 319, 350, 7084, 29871, 13];
  cache.clear();
  await cache.append(prompt, await lm.embed(prompt));
  const times = { plain: [] as number[], scoped: [] as number[] };
  for (let round = 0; round < rounds * 2; round++) {
    const mode = round % 2 === 0 ? 'plain' : 'scoped';
    cache.truncate(prompt.length);
    let previous: Promise<void> = Promise.resolve();
    for (let step = 0; step < STEPS; step++) {
      const token = 100 + step;
      const embeds = await lm.embed([token]);
      const started = performance.now();
      if (mode === 'plain') {
        await cache.append([token], embeds);
      } else {
        const run = await guardedRun(model.gpu, 'answering', () => cache.append([token], embeds));
        await previous;
        previous = run.check;
      }
      // The first round of each mode warms up (pipelines, buffer pools).
      if (round >= 2) times[mode].push(performance.now() - started);
    }
    await previous;
  }
  cache.clear();
  // The scopes alone, awaited at once (the answer loop never waits for them like this): their whole cost per step.
  const started = performance.now();
  for (let i = 0; i < SCOPE_ROUNDS; i++) await model.gpu.begin('timing').end();
  const scopeRoundTripMs = (performance.now() - started) / SCOPE_ROUNDS;
  return { plainMs: median(times.plain), scopedMs: median(times.scoped), steps: times.plain.length, samples: times, scopeRoundTripMs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
