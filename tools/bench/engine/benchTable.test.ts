import { describe, expect, it } from 'vitest';
import type { GenerationStats } from '../../../src/core/engine/generate.ts';
import type { Ort } from '../../../src/engine/runtime/graphSession.ts';
import { baselineLines, decodeBreakdown, markdownTable, rateRatio, tableLines, weightReadRate } from './benchTable.ts';
import type { ContextResult, ScenarioResult } from './scenario.ts';
import { createRunLog, timedOrt } from './timedOrt.ts';

function stats(overrides: Partial<GenerationStats>): GenerationStats {
  return {
    timeToFirstTokenMs: 500,
    prefillTokens: 1000,
    reusedPositions: 0,
    prefillMs: 400,
    prefillTokensPerSecond: 2500,
    decodeMs: 1000,
    decodeTokensPerSecond: 10,
    tokensGenerated: 11,
    visionMs: {},
    visionMsPerImage: 0,
    totalMs: 1500,
    ...overrides,
  };
}

function context(name: string, overrides: Partial<ContextResult> = {}, statOverrides: Partial<GenerationStats> = {}): ContextResult {
  return { name, positions: 1000, stats: stats(statOverrides), decoderRunMs: 900, embedRunMs: 50, decodeSteps: 10, ...overrides };
}

describe('decode breakdown', () => {
  it('splits the decode window into decoder run, embed run and the rest', () => {
    const breakdown = decodeBreakdown(context('1k'))!;
    expect(breakdown.stepMs).toBe(100);
    expect(breakdown.outsideShare).toBeCloseTo(0.05, 12);
    expect(breakdown.embedShare).toBeCloseTo(0.05, 12);
  });

  it('has nothing to say without decode steps, and never reports a negative share', () => {
    expect(decodeBreakdown(context('1k', { decodeSteps: 0 }))).toBeNull();
    expect(decodeBreakdown(context('1k', { decoderRunMs: 1200 }))!.outsideShare).toBe(0);
  });

  it('reads weights once per step and compares the last context with the first', () => {
    expect(weightReadRate(70e6, 12.5)).toBe(875e6);
    expect(rateRatio([context('1k'), context('2k', {}, { decodeTokensPerSecond: 8 })])).toBeCloseTo(0.8, 12);
    expect(rateRatio([context('1k')])).toBeNull();
  });
});

describe('table', () => {
  const result: ScenarioResult = {
    firstLoadMs: 1500,
    secondLoadMs: 250,
    visionMs: [100, 300],
    imageRows: [768, 768],
    contexts: [context('1k'), context('2k', { positions: 2000 }, { decodeTokensPerSecond: 5 })],
    counters: { visionRuns: 2, embedRuns: 0, decoderRuns: 0, prefillTokens: 0, decodeSteps: 0, cachedPositions: 0 },
    prefillChunk: 512,
  };

  it('puts the load and vision cells on the first line of a configuration and one line per context', () => {
    const lines = tableLines([{ model: 'tiny', where: 'wasm', result, decoderBytes: 1e9, dispatches: 42 }], { readBytesPerSecond: 20e9, copyBytesPerSecond: 10e9 });
    expect(lines).toHaveLength(2);
    expect(lines[0]!.slice(0, 5)).toEqual(['tiny', 'wasm', '1.50 s / 250 ms', '200 ms (768, 768 rows)', '1k (1000)']);
    expect(lines[0]![7]).toBe('10.0 (11 tokens)');
    expect(lines[0]![8]).toBe('5.0% of 100 ms (5.0%)');
    expect(lines[0]![9]).toBe('42');
    expect(lines[0]![10]).toBe('10.00 GB/s (50.0%)');
    expect(lines[0]![11]).toBe('0.50');
    expect(lines[1]![0]).toBe('');
    expect(lines[1]![9]).toBe('');
    expect(lines[1]![10]).toBe('5.00 GB/s (25.0%)');
    expect(lines[1]![4]).toBe('2k (2000)');
    expect(tableLines([{ model: 'tiny', where: 'wasm', result, decoderBytes: 1e9 }], { readBytesPerSecond: 1, copyBytesPerSecond: 1 })[0]![9]).toBe('—');
  });

  it('shows a failed configuration as one line', () => {
    const lines = tableLines([{ model: '100M', where: 'webgpu', result: { error: 'out of memory' }, decoderBytes: 1 }], { readBytesPerSecond: 1, copyBytesPerSecond: 1 });
    expect(lines).toEqual([['100M', 'webgpu', 'failed: out of memory', '', '', '', '', '', '', '', '', '']]);
    expect(markdownTable(['a', 'b'], [['1', '2']])).toBe('| a | b |\n| --- | --- |\n| 1 | 2 |');
  });
});

describe('baseline against in parts', () => {
  const run = (firstLoadMs: number, secondLoadMs: number, decodeMs: number): ScenarioResult => ({
    firstLoadMs,
    secondLoadMs,
    visionMs: [],
    imageRows: [],
    contexts: [context('1k', {}, { decodeMs })],
    counters: { visionRuns: 0, embedRuns: 0, decoderRuns: 0, prefillTokens: 0, decodeSteps: 0, cachedPositions: 0 },
    prefillChunk: 512,
  });

  it('compares the medians of each kind, leaving failed runs out', () => {
    const lines = baselineLines([
      { model: 'tiny', reads: 'whole', result: run(1000, 200, 1000) },
      { model: 'tiny', reads: 'parts', result: run(1100, 300, 1030) },
      { model: 'tiny', reads: 'parts', result: run(900, 100, 1010) },
      { model: 'tiny', reads: 'whole', result: run(3000, 400, 1020) },
      { model: 'tiny', reads: 'parts', result: { error: 'lost' } },
    ]);
    expect(lines).toEqual([
      ['tiny', 'load, cold', '2.00 s (2)', '1.00 s (2)', '50.0%'],
      ['', 'load, cached', '300 ms (2)', '200 ms (2)', '66.7%'],
      ['', 'decode step, 1k', '101 ms (2)', '102 ms (2)', '101.0%'],
    ]);
  });

  it('says nothing of a model without runs of both kinds', () => {
    expect(baselineLines([{ model: '100M', reads: 'parts', result: run(1, 1, 1) }])).toEqual([]);
  });
});

describe('timed onnxruntime', () => {
  it('records each run of a wrapped session with its graph and positions', async () => {
    const session = {
      inputNames: ['inputs_embeds', 'seqlens_k'],
      async run(feeds: Record<string, { dims: number[] }>) {
        return { seen: feeds.inputs_embeds!.dims };
      },
    };
    const fake = { Tensor: class {}, env: {}, InferenceSession: { create: async () => session } } as unknown as Ort;
    const log = createRunLog();
    const ort = timedOrt(fake, log);
    expect(ort.env).toBe(fake.env);
    const opened = await ort.InferenceSession.create(new Uint8Array(0));
    const output = await opened.run({ inputs_embeds: { dims: [1, 7, 64] } } as never);
    expect(output).toEqual({ seen: [1, 7, 64] });
    expect(log.records).toHaveLength(1);
    expect(log.records[0]).toMatchObject({ graph: 'decoder', positions: 7 });
    log.clear();
    expect(log.records).toHaveLength(0);
  });
});
