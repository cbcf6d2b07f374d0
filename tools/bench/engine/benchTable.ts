/** The engine bench's derived numbers and its one Markdown table. */
import { medianOfPresent } from '../sameRun.ts';
import type { ContextResult, ScenarioResult } from './scenario.ts';

export interface DecodeBreakdown {
  /** Mean wall time of one decode step. */
  stepMs: number;
  /** Share of the decode steps' wall time spent outside every session.run (sampling, tensors, event loop). */
  outsideShare: number;
  /** Share spent in embed_tokens' session.run (one row lookup per step). */
  embedShare: number;
}

/** From the decode window's wall time and the session.run time measured inside it. */
export function decodeBreakdown(context: ContextResult): DecodeBreakdown | null {
  const { decodeMs } = context.stats;
  if (context.decodeSteps === 0 || decodeMs <= 0) return null;
  const outside = Math.max(0, decodeMs - context.decoderRunMs - context.embedRunMs);
  return { stepMs: decodeMs / context.decodeSteps, outsideShare: outside / decodeMs, embedShare: context.embedRunMs / decodeMs };
}

/** Bytes per second of decoder weights read while decoding: every matrix once per step. */
export function weightReadRate(decoderBytes: number, decodeTokensPerSecond: number): number {
  return decoderBytes * decodeTokensPerSecond;
}

/** Decode rate at the larger context over the rate at the smaller one (1 = no slowdown as the cache grows). */
export function rateRatio(contexts: readonly ContextResult[]): number | null {
  if (contexts.length < 2) return null;
  const first = contexts[0]!.stats.decodeTokensPerSecond;
  const last = contexts[contexts.length - 1]!.stats.decodeTokensPerSecond;
  return first > 0 && last > 0 ? last / first : null;
}

export interface MemoryBandwidth {
  /** memcmp of two equal buffers much larger than the caches (Buffer.compare): bytes read per second. */
  readBytesPerSecond: number;
  /** memcpy of one such buffer into another (TypedArray.set): bytes read + written per second. */
  copyBytesPerSecond: number;
}

/** Best of `repeats` passes over `bytes` (default 256 MB) each way; one thread, as one decode step runs here. */
export function measureMemoryBandwidth(bytes = 256 << 20, repeats = 5): MemoryBandwidth {
  // Native loops (no JavaScript one), so that the memory, not the interpreter, is what is timed.
  const a = Buffer.alloc(bytes, 1);
  const b = Buffer.alloc(bytes, 1);
  let read = 0;
  let copy = 0;
  for (let r = 0; r < repeats; r++) {
    let started = performance.now();
    if (a.compare(b) !== 0) throw new Error('memory bandwidth: equal buffers compare unequal');
    read = Math.max(read, (2 * bytes) / ((performance.now() - started) / 1000));
    started = performance.now();
    b.set(a);
    copy = Math.max(copy, (2 * bytes) / ((performance.now() - started) / 1000));
  }
  return { readBytesPerSecond: read, copyBytesPerSecond: copy };
}

export interface TableRow {
  model: string;
  where: string;
  result: ScenarioResult | { error: string };
  decoderBytes: number;
  /** GPU dispatches of one decode step, where they were counted (onnxruntime-node's verbose log). */
  dispatches?: number;
}

const ms = (value: number) => (value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`);
const rate = (value: number) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));
const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
const gbs = (value: number) => (value >= 1e9 ? `${(value / 1e9).toFixed(2)} GB/s` : `${(value / 1e6).toFixed(value >= 1e7 ? 0 : 2)} MB/s`);

export const TABLE_HEADER = [
  'model',
  'backend',
  'load cold / cached',
  'vision per image',
  'context (positions)',
  'TTFT',
  'prefill tok/s',
  'decode tok/s',
  'decode step outside session.run (embed run)',
  'GPU dispatches per decode step',
  'weights read while decoding (of memory bandwidth)',
  'decode rate at largest / smallest context',
];

/** One line per context of each configuration; the load and vision cells on the first line only. */
export function tableLines(rows: readonly TableRow[], bandwidth: MemoryBandwidth): string[][] {
  const lines: string[][] = [];
  for (const row of rows) {
    if ('error' in row.result) {
      lines.push([row.model, row.where, `failed: ${row.result.error}`, '', '', '', '', '', '', '', '', '']);
      continue;
    }
    const result = row.result;
    const vision = result.visionMs.length > 0 ? `${ms(result.visionMs.reduce((a, b) => a + b, 0) / result.visionMs.length)} (${result.imageRows.join(', ')} rows)` : '—';
    const ratio = rateRatio(result.contexts);
    result.contexts.forEach((context, index) => {
      const breakdown = decodeBreakdown(context);
      const weights = weightReadRate(row.decoderBytes, context.stats.decodeTokensPerSecond);
      lines.push([
        index === 0 ? row.model : '',
        index === 0 ? row.where : '',
        index === 0 ? `${ms(result.firstLoadMs)} / ${result.secondLoadMs === null ? '—' : ms(result.secondLoadMs)}` : '',
        index === 0 ? vision : '',
        `${context.name} (${context.positions})`,
        ms(context.stats.timeToFirstTokenMs),
        `${rate(context.stats.prefillTokensPerSecond)} (${context.stats.prefillTokens} run, ${context.stats.reusedPositions} reused)`,
        `${rate(context.stats.decodeTokensPerSecond)} (${context.stats.tokensGenerated} tokens)`,
        breakdown === null ? '—' : `${pct(breakdown.outsideShare)} of ${ms(breakdown.stepMs)} (${pct(breakdown.embedShare)})`,
        index === 0 && row.dispatches !== undefined ? String(row.dispatches) : index === 0 ? '—' : '',
        `${gbs(weights)} (${pct(weights / bandwidth.readBytesPerSecond)})`,
        index === 0 && ratio !== null ? ratio.toFixed(2) : '',
      ]);
    });
  }
  return lines;
}

export function markdownTable(header: readonly string[], lines: readonly string[][]): string {
  const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [row(header), row(header.map(() => '---')), ...lines.map(row)].join('\n');
}

/** A browser run of one bundle with its chunks read whole (the baseline) or in parts, for `baselineLines`. */
export interface ReadsRun {
  model: string;
  reads: 'whole' | 'parts';
  result: ScenarioResult | { error: string };
}

export const BASELINE_HEADER = ['model', 'measure', 'chunks read whole (median)', 'in parts (median)', 'in parts / whole'];

/**
 * Per model, the medians of the load times (cold, cached) and of each context's decode step over the runs of each
 * kind, and the ratio of the new (in parts) to the baseline (whole): > 100% means slower. Failed runs are left out.
 */
export function baselineLines(runs: readonly ReadsRun[]): string[][] {
  const lines: string[][] = [];
  for (const model of [...new Set(runs.map((run) => run.model))]) {
    const results = (reads: ReadsRun['reads']) =>
      runs.filter((run) => run.model === model && run.reads === reads).flatMap((run) => ('error' in run.result ? [] : [run.result]));
    const whole = results('whole');
    const parts = results('parts');
    if (whole.length === 0 || parts.length === 0) continue;
    const line = (measure: string, of: (result: ScenarioResult) => number | null) => {
      const [a, b] = [medianOfPresent(whole.map(of)), medianOfPresent(parts.map(of))];
      if (a === null || b === null) return;
      lines.push([lines.some((cells) => cells[0] === model) ? '' : model, measure, `${ms(a)} (${whole.length})`, `${ms(b)} (${parts.length})`, pct(b / a)]);
    };
    line('load, cold', (result) => result.firstLoadMs);
    line('load, cached', (result) => result.secondLoadMs);
    for (const name of whole[0]!.contexts.map((context) => context.name)) {
      line(`decode step, ${name}`, (result) => {
        const context = result.contexts.find((candidate) => candidate.name === name);
        return context === undefined ? null : (decodeBreakdown(context)?.stepMs ?? null);
      });
    }
  }
  return lines;
}
