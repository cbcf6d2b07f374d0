import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { createRandom } from './random.ts';
import { applyRepetitionPenalty, bannedNgramTokens, createSampler, softmaxAt } from './sampler.ts';

function softmax(row: ArrayLike<number>, temperature = 1): number[] {
  const values = Array.from(row, (v) => v / temperature);
  const max = Math.max(...values);
  const exps = values.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

function randomLogits(n: number, seed: number, scale = 3): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: n }, () => (random.next() - 0.5) * 2 * scale);
}

describe('greedy', () => {
  it('takes the argmax, the lowest id among ties, with its softmax probability when asked', () => {
    const logits = Float32Array.from([1, 3, 0.5, 3, -2]);
    const { tokenId, probability } = createSampler({}, { greedyProbability: true }).sample(logits);
    expect(tokenId).toBe(1);
    expect(probability).toBeCloseTo(softmax(logits)[1]!, 12);
    expect(createSampler().sample(logits)).toEqual({ tokenId: 1, probability: null });
  });

  it('is the default and ignores the seed', () => {
    const logits = randomLogits(32000, 7);
    const a = createSampler({ seed: 1 }).sample(logits);
    const b = createSampler({ seed: 2 }).sample(logits);
    expect(a).toEqual(b);
    expect(createSampler().options.temperature).toBe(0);
  });

  it('picks the same token on its one-pass path as on the path with logits processors', () => {
    const plain = createSampler();
    const processed = createSampler({}, { greedyProbability: true });
    for (let seed = 1; seed <= 20; seed++) {
      const logits = randomLogits(32000, seed);
      logits[seed * 97] = logits[seed * 89] = 100; // a tie: the lower id wins on both paths
      expect(plain.sample(logits).tokenId).toBe(seed * 89);
      expect(processed.sample(logits).tokenId).toBe(seed * 89);
    }
  });

  it('refuses NaN, +Infinity and a fully masked row', () => {
    const sampler = createSampler();
    expect(() => sampler.sample(Float32Array.from([0, NaN]))).toThrow(AppError);
    expect(() => sampler.sample(Float32Array.from([0, Infinity]))).toThrow(/logit 1 is Infinity/);
    expect(() => sampler.sample(Float32Array.from([-Infinity, -Infinity]))).toThrow(/masked/);
  });
});

describe('repetition penalty (Hugging Face semantics)', () => {
  it('divides positive logits and multiplies the others, once per distinct id', () => {
    const logits = Float64Array.from([2, -2, 0, 5]);
    applyRepetitionPenalty(logits, [0, 1, 1, 2, 0], 2);
    expect(Array.from(logits)).toEqual([1, -4, 0, 5]);
  });

  it('changes the greedy choice when the best token was already generated', () => {
    const logits = Float32Array.from([0, 2.0, 1.5, 0]);
    expect(createSampler().sample(logits, [1]).tokenId).toBe(1);
    const penalised = createSampler({ repetitionPenalty: 1.5 }, { greedyProbability: true }).sample(logits, [1]);
    expect(penalised.tokenId).toBe(2);
    // The probability is taken after the penalty: softmax of [0, 2/1.5, 1.5, 0].
    expect(penalised.probability).toBeCloseTo(softmax([0, 2 / 1.5, 1.5, 0])[2]!, 12);
  });
});

describe('no-repeat n-gram (Hugging Face semantics)', () => {
  it('bans the tokens that would complete an n-gram already present', () => {
    expect([...bannedNgramTokens([5, 6, 7, 5, 6], 3)]).toEqual([7]);
    expect([...bannedNgramTokens([5, 6, 7, 5, 6, 8, 5, 6], 3)].sort()).toEqual([7, 8]);
    expect([...bannedNgramTokens([5, 6, 7, 5, 6], 2)]).toEqual([7]);
    expect([...bannedNgramTokens([5, 6, 5], 1)].sort()).toEqual([5, 6]);
    // Fewer ids than n − 1: nothing to look up yet.
    expect(bannedNgramTokens([5], 3).size).toBe(0);
    expect(bannedNgramTokens([5, 6], 3).size).toBe(0);
  });

  it('stops greedy decoding from repeating "body body body"', () => {
    const body = 3;
    const logits = Float32Array.from([0, 1, 2, 5]);
    const sampler = createSampler({ noRepeatNgramSize: 2 });
    expect(sampler.sample(logits, [1, body]).tokenId).toBe(body);
    expect(sampler.sample(logits, [body, body]).tokenId).toBe(2);
  });
});

describe('sampling', () => {
  it('reproduces a seeded run and differs across seeds', () => {
    const logits = randomLogits(32000, 11, 2);
    const run = (seed: number) => {
      const sampler = createSampler({ temperature: 1, topP: 0.95, topK: 0, seed });
      return Array.from({ length: 30 }, () => sampler.sample(logits).tokenId);
    };
    expect(run(42)).toEqual(run(42));
    expect(run(42)).not.toEqual(run(43));
  });

  it('draws from softmax(logits / T) when top-k and top-p are off', () => {
    const logits = Float32Array.from([1, 0, 2, -1]);
    const expected = softmax(logits, 2);
    const sampler = createSampler({ temperature: 2, topP: 1, topK: 0, seed: 5 });
    const counts = [0, 0, 0, 0];
    const draws = 20000;
    for (let i = 0; i < draws; i++) {
      const { tokenId, probability } = sampler.sample(logits);
      counts[tokenId]! += 1;
      if (probability === null || Math.abs(probability - expected[tokenId]!) > 1e-12) throw new Error(`probability ${probability} of ${tokenId}`);
    }
    counts.forEach((count, id) => expect(Math.abs(count / draws - expected[id]!)).toBeLessThan(0.012));
  });

  it('keeps only the top k (ties at the k-th value included) and renormalises', () => {
    const logits = Float32Array.from([5, 1, 4, 4, 0, 3]);
    const sampler = createSampler({ temperature: 1, topK: 2, topP: 1, seed: 9 });
    const seen = new Set<number>();
    // The 2nd value is 4, shared by ids 2 and 3: both are kept.
    const kept = softmax([5, 4, 4]);
    for (let i = 0; i < 3000; i++) {
      const { tokenId, probability } = sampler.sample(logits);
      seen.add(tokenId);
      expect(probability).toBeCloseTo(kept[[0, 2, 3].indexOf(tokenId)]!, 12);
    }
    expect([...seen].sort()).toEqual([0, 2, 3]);
  });

  it('keeps the nucleus on a 32000 vocabulary, with top-k applied first', () => {
    const logits = randomLogits(32000, 21, 6);
    const probs = softmax(logits, 0.7);
    const order = [...probs.keys()].sort((x, y) => probs[y]! - probs[x]! || x - y);
    // Brute force: top-k 40, then top-p 0.8 over the renormalised top-k mass.
    const topK = order.slice(0, 40);
    const topKMass = topK.reduce((s, id) => s + probs[id]!, 0);
    const nucleus: number[] = [];
    let above = 0;
    for (const id of topK) {
      if (nucleus.length > 0 && above >= 0.8 * topKMass) break;
      nucleus.push(id);
      above += probs[id]!;
    }
    const sampler = createSampler({ temperature: 0.7, topK: 40, topP: 0.8, seed: 3 });
    for (let i = 0; i < 200; i++) {
      const { tokenId, probability } = sampler.sample(logits);
      expect(nucleus).toContain(tokenId);
      expect(probability).toBeCloseTo(probs[tokenId]! / above, 6);
    }
  });

  it('never draws a banned or masked token', () => {
    const logits = Float32Array.from([3, 3, -Infinity, 3]);
    const sampler = createSampler({ temperature: 1, topP: 1, topK: 0, noRepeatNgramSize: 1, seed: 1 });
    for (let i = 0; i < 500; i++) expect([1, 3]).toContain(sampler.sample(logits, [0]).tokenId);
  });

  it('refuses settings outside their range', () => {
    expect(() => createSampler({ temperature: -1 })).toThrow(/temperature/);
    expect(() => createSampler({ topP: 0 })).toThrow(/topP/);
    expect(() => createSampler({ topK: 1.5 })).toThrow(/topK/);
    expect(() => createSampler({ repetitionPenalty: 0 })).toThrow(/repetitionPenalty/);
    expect(() => createSampler({ seed: -1 })).toThrow(/seed/);
  });

  it('reports the seed it drew, and that seed reproduces the run', () => {
    const logits = randomLogits(1000, 2, 1);
    const first = createSampler({ temperature: 1 });
    const again = createSampler({ temperature: 1, seed: first.options.seed });
    for (let i = 0; i < 20; i++) expect(first.sample(logits)).toEqual(again.sample(logits));
  });
});

describe('softmaxAt', () => {
  it('matches a float64 softmax over the full row, also for large logits', () => {
    const logits = randomLogits(32000, 31, 10);
    logits[319] = 900;
    logits[350] = 899;
    const [pA, pB] = softmaxAt(logits, [319, 350]);
    const rest = Array.from(logits).reduce((s, v, i) => (i === 319 || i === 350 ? s : s + Math.exp(v - 900)), 0);
    const sum = 1 + Math.exp(-1) + rest;
    expect(pA).toBeCloseTo(1 / sum, 14);
    expect(pB).toBeCloseTo(Math.exp(-1) / sum, 14);
  });

  it('refuses ids outside the row and NaN logits', () => {
    expect(() => softmaxAt(Float32Array.from([0, 1]), [2])).toThrow(/outside the logits row/);
    expect(() => softmaxAt(Float32Array.from([0, NaN]), [0])).toThrow(/NaN/);
  });
});
