import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComparisonWork, RankEvent, RankResult } from '../../src/core/engine/rank.ts';
import type { ImageInput } from '../../src/core/engine/images.ts';
import { defaultPairBudget } from '../../src/core/ranking/index.ts';
import type { Engine } from '../../src/engine/Engine.ts';
import { nodeOrt } from './ortNode.ts';
import { createNodeEngine } from './nodeHost.ts';
import { randomPng } from './testing/testImages.ts';
import { buildTinyBundle, type TinyBundle } from './testing/tinyBundle.ts';

let root: string;
let bundle: TinyBundle;
let reference: ImageInput;
/** 70×70 images: 25 rows each. */
const candidates: ImageInput[] = [];

beforeAll(async () => {
  await nodeOrt();
  root = await mkdtemp(join(tmpdir(), 'depictqa-rank-'));
  bundle = await buildTinyBundle(root, ['fp32'], { seed: 5, vision: true });
  reference = await randomPng('reference.png', 70, 70, 100);
  for (let i = 0; i < 8; i++) candidates.push(await randomPng(`c${i}.png`, 70, 70, 200 + i));
}, 120_000);

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

async function loadedEngine(): Promise<Engine> {
  const engine = createNodeEngine();
  await engine.load({ kind: 'path', path: bundle.bundleDir }, undefined, { maxContext: 512 });
  return engine;
}

/** Runs `job` on a freshly loaded engine and unloads it. */
async function withEngine<T>(job: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await loadedEngine();
  try {
    return await job(engine);
  } finally {
    await engine.unload();
  }
}

function comparisonsOf(events: RankEvent[]): Array<Extract<RankEvent, { type: 'comparison' }>> {
  return events.filter((event): event is Extract<RankEvent, { type: 'comparison' }> => event.type === 'comparison');
}

describe('engine.rank', () => {
  it('encodes each distinct image once: a file given twice costs one vision run', async () => {
    await withEngine(async (engine) => {
      const given = [...candidates.slice(0, 4), { ...candidates[0]!, name: 'again.png' }];
      const result = await engine.rank({ reference, candidates: given, mode: 'allPairs' });
      expect(result.stats.visionRuns).toBe(5);
      expect((await engine.counters()).visionRuns).toBe(5);
      expect(result.candidates[4]!.id).toBe(result.candidates[0]!.id);
      expect(result.candidates.map((image) => image.rows)).toEqual([25, 25, 25, 25, 25]);
      expect(result.reference).toMatchObject({ rows: 25 });
    });
  }, 60_000);

  it('prefills the shared prefix once, and Image A once per group: each comparison runs only what the KV cache lacks', async () => {
    await withEngine(async (engine) => {
      const events: RankEvent[] = [];
      const before = await engine.counters();
      const result = await engine.rank({ reference, candidates: candidates.slice(0, 5) }, (event) => events.push(event));
      const after = await engine.counters();
      const done = comparisonsOf(events);
      expect(done).toHaveLength(result.stats.comparisons);
      const shared = result.stats.sharedPrefix;
      // The reference's rows and the system text come before Image A.
      expect(shared).toBeGreaterThan(25);
      const works: ComparisonWork[] = done.map((event) => event.work);
      expect(works[0]!.reusedPositions).toBe(0);
      const sameA: number[] = [];
      for (const [k, work] of works.entries()) {
        expect(work.sharedPrefix).toBe(shared);
        expect(work.prefillTokens).toBe(work.positions - work.reusedPositions);
        if (k === 0) continue;
        // After a comparison with the same Image A, the prompt parts at Image B's rows: A's 25 rows and its tags are
        // reused too. After another A, exactly the shared prefix is.
        if (done[k]!.first !== done[k - 1]!.first) expect(work.reusedPositions).toBe(shared);
        else sameA.push(work.reusedPositions - shared);
      }
      // A's 25 rows and the text up to Image B's rows, the same in every group.
      expect(new Set(sameA).size).toBe(1);
      expect(sameA[0]).toBeGreaterThan(25);
      const groups = done.filter((event, k) => k === 0 || event.first !== done[k - 1]!.first).length;
      expect(groups).toBeLessThan(done.length / 2);
      const sum = (pick: (work: ComparisonWork) => number) => works.reduce((total, work) => total + pick(work), 0);
      expect(result.stats.prefillTokens).toBe(sum((work) => work.prefillTokens));
      expect(result.stats.prefillTokensSaved).toBe(sum((work) => work.reusedPositions));
      expect(result.stats.prefillTokens + result.stats.prefillTokensSaved).toBe(sum((work) => work.positions));
      expect(result.stats.prefillTokensSaved).toBeGreaterThanOrEqual((works.length - 1) * shared);
      expect(after.prefillTokens - before.prefillTokens).toBe(result.stats.prefillTokens);
      expect(after.decoderRuns - before.decoderRuns).toBe(result.stats.modelRuns);
    });
  }, 60_000);

  it('keeps the number of pairs within the budget, each pair in both orders', async () => {
    await withEngine(async (engine) => {
      const active = await engine.rank({ reference, candidates });
      expect(active.stats.pairs).toBeLessThanOrEqual(defaultPairBudget(8));
      expect(active.stats.comparisons).toBe(2 * active.stats.pairs);
      expect(active.comparisons.every((pair) => pair.iFirst !== null && pair.jFirst !== null)).toBe(true);
      const capped = await engine.rank({ candidates: candidates.slice(0, 6), maxPairs: 4 });
      expect(capped.stats.pairs).toBe(4);
      const all = await engine.rank({ candidates: candidates.slice(0, 4), mode: 'allPairs' });
      expect(all.stats).toMatchObject({ pairs: 6, comparisons: 12 });
      expect(all.ranking.map((entry) => entry.index).sort()).toEqual([0, 1, 2, 3]);
      expect(all.ranking.every((entry) => entry.wins + entry.losses <= 3 && entry.low <= entry.score && entry.score <= entry.high)).toBe(true);
    });
  }, 60_000);

  it('gives the same probabilities with the KV cache reused and with every comparison from scratch', async () => {
    await withEngine(async (engine) => {
      const request = { reference, candidates: candidates.slice(0, 6) };
      const reusedEvents: RankEvent[] = [];
      const scratchEvents: RankEvent[] = [];
      const reused = await engine.rank(request, (event) => reusedEvents.push(event));
      const scratch = await engine.rank({ ...request, reuse: false }, (event) => scratchEvents.push(event));
      const [a, b] = [comparisonsOf(reusedEvents), comparisonsOf(scratchEvents)];
      expect(b.map(({ first, second }) => [first, second])).toEqual(a.map(({ first, second }) => [first, second]));
      expect(b.every((event) => event.work.reusedPositions === 0)).toBe(true);
      expect(reused.stats.prefillTokens).toBeLessThan(scratch.stats.prefillTokens);
      for (const [k, event] of a.entries()) {
        expect(Math.abs(event.pA - b[k]!.pA)).toBeLessThan(1e-4);
        expect(Math.abs(event.pB - b[k]!.pB)).toBeLessThan(1e-4);
        // The tiny random model's letters are rare tokens (p ≈ 1e-5): relative agreement is the meaningful check.
        expect(Math.abs(Math.log(event.pA / b[k]!.pA))).toBeLessThan(1e-4);
        expect(Math.abs(Math.log(event.pB / b[k]!.pB))).toBeLessThan(1e-4);
      }
    });
  }, 120_000);

  it('gives the same record for the same request twice, whatever ran in between', async () => {
    await withEngine(async (engine) => {
      const request = { reference, candidates: candidates.slice(0, 5) };
      const first = await engine.rank(request);
      await engine.compare({ a: candidates[6]!, b: candidates[7]! });
      const second = await engine.rank(request);
      const record = (result: RankResult) => ({ ranking: result.ranking, comparisons: result.comparisons, positionBias: result.positionBias, tiedGroups: result.tiedGroups });
      expect(record(second)).toEqual(record(first));
      expect(second.stats.prefillTokens).toBe(first.stats.prefillTokens);
      expect(second.stats.visionRuns).toBe(0);
    });
  }, 60_000);

  it('refuses too few or too many candidates, and stops between comparisons on cancel()', async () => {
    await withEngine(async (engine) => {
      await expect(engine.rank({ candidates: [candidates[0]!] })).rejects.toMatchObject({ code: 'REQUEST_INVALID', message: expect.stringContaining('2 to 64') });
      await expect(engine.rank({ candidates: new Array(65).fill(candidates[0]) })).rejects.toMatchObject({ code: 'REQUEST_INVALID' });
      const events: RankEvent[] = [];
      const result = await engine.rank({ candidates: candidates.slice(0, 4), mode: 'allPairs' }, (event) => {
        events.push(event);
        if (event.type === 'comparison') void engine.cancel();
      });
      expect(result.cancelled).toBe(true);
      expect(result.stats.comparisons).toBe(1);
      expect(events.map((event) => event.type)).toEqual(['start', 'encoded', 'encoded', 'encoded', 'encoded', 'comparison', 'done']);
    });
  }, 60_000);
});

describe('engine.rank with earlier comparisons', () => {
  it('resumes from them: asks only the pairs they lack and ends with the same ranking', async () => {
    await withEngine(async (engine) => {
      const request = { reference, candidates };
      const events: RankEvent[] = [];
      const whole = await engine.rank(request, (event) => events.push(event));
      const asked = comparisonsOf(events);
      // Cut after the first order of a pair: the resumed run must finish that pair with the other order.
      const kept = asked.slice(0, 5).map(({ first, second, pA, pB }) => ({ first, second, pA, pB }));
      const resumedEvents: RankEvent[] = [];
      const resumed = await engine.rank({ ...request, prior: kept }, (event) => resumedEvents.push(event));
      const again = comparisonsOf(resumedEvents);
      expect(resumedEvents[0]).toMatchObject({ type: 'start', prior: 5 });
      expect(resumed.stats.priorComparisons).toBe(5);
      expect(resumed.stats.comparisons).toBe(asked.length - 5);
      expect(again.map(({ first, second }) => [first, second])).toEqual(asked.slice(5).map(({ first, second }) => [first, second]));
      expect(again.map((event) => event.done)).toEqual(asked.slice(5).map((event) => event.done));
      const kept2 = new Set(kept.map(({ first, second }) => `${first},${second}`));
      expect(again.some(({ first, second }) => kept2.has(`${first},${second}`))).toBe(false);
      expect(resumed.ranking.map((entry) => entry.index)).toEqual(whole.ranking.map((entry) => entry.index));
      for (const [k, entry] of resumed.ranking.entries()) expect(entry.score).toBeCloseTo(whole.ranking[k]!.score, 3);
      expect(resumed.stats.pairs).toBe(whole.stats.pairs);
    });
  }, 120_000);

  it('refuses earlier comparisons that do not fit the candidates', async () => {
    await withEngine(async (engine) => {
      const base = { candidates: candidates.slice(0, 3) };
      await expect(engine.rank({ ...base, prior: [{ first: 0, second: 3, pA: 0.1, pB: 0.2 }] })).rejects.toMatchObject({ code: 'REQUEST_INVALID', message: expect.stringContaining('does not fit 3 candidates') });
      await expect(engine.rank({ ...base, prior: [{ first: 0, second: 1, pA: 1.5, pB: 0.2 }] })).rejects.toMatchObject({ code: 'REQUEST_INVALID' });
      const twice = { first: 0, second: 1, pA: 0.1, pB: 0.2 };
      await expect(engine.rank({ ...base, prior: [twice, twice] })).rejects.toMatchObject({ code: 'REQUEST_INVALID', message: expect.stringContaining('given twice') });
    });
  }, 60_000);
});

describe('engine.compare', () => {
  it('reads the same p(▁A), p(▁B) through the reused prefix as from scratch', async () => {
    await withEngine(async (engine) => {
      await engine.compare({ reference, a: candidates[0]!, b: candidates[1]! });
      const reused = await engine.compare({ reference, a: candidates[2]!, b: candidates[3]! });
      const scratch = await engine.compare({ reference, a: candidates[2]!, b: candidates[3]!, reuse: false });
      expect(reused.work.reusedPositions).toBe(reused.work.sharedPrefix);
      expect(reused.work.prefillTokens).toBe(reused.work.positions - reused.work.sharedPrefix);
      expect(scratch.work).toMatchObject({ reusedPositions: 0, prefillTokens: reused.work.positions, modelRuns: 1 });
      expect(Math.abs(reused.pA - scratch.pA)).toBeLessThan(1e-5);
      expect(Math.abs(reused.pB - scratch.pB)).toBeLessThan(1e-5);
      // The tiny random model's letters are rare tokens (p ≈ 1e-5): relative agreement is the meaningful check.
      expect(Math.abs(Math.log(reused.pA / scratch.pA))).toBeLessThan(1e-4);
      expect(Math.abs(Math.log(reused.pB / scratch.pB))).toBeLessThan(1e-4);
      expect(reused.confidenceA).toBeCloseTo(reused.pA / (reused.pA + reused.pB), 12);
      expect(reused.question).toMatch(/^Which image do you believe has better overall quality: Image A or Image B\? Answer the question/);
    });
  }, 60_000);

  it("appends `▁Image` to the comparison prompt and reads the letters there, as the answer's probe does", async () => {
    await withEngine(async (engine) => {
      const compared = await engine.compare({ reference, a: candidates[0]!, b: candidates[1]!, questionIndex: 0, reuse: false });
      const answered = await engine.generate({
        task: 'comparison',
        images: { reference, a: candidates[0]!, b: candidates[1]! },
        question: { index: 0 },
        maxNewTokens: 1,
      });
      expect(compared.work.positions).toBe(answered.prompt.positions + 1);
      // Generation read its letters after `▁Image` too, either where its answer said it or by the probe.
      expect(answered.comparison).not.toBeNull();
      expect(Math.abs(Math.log(compared.pA / answered.comparison!.pA))).toBeLessThan(1e-4);
      expect(Math.abs(Math.log(compared.pB / answered.comparison!.pB))).toBeLessThan(1e-4);
    });
  }, 60_000);
});
