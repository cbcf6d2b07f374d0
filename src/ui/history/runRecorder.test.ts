import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConfidenceReport } from '../../core/engine/confidence.ts';
import type { HistoryRecord } from '../../core/history/record.ts';
import { createRunRecorder, type ObservedRun } from './runRecorder.ts';

const idle: ObservedRun = { status: 'idle', text: '', question: null, summary: null, error: null };
const stats = {
  timeToFirstTokenMs: 1,
  prefillTokens: 1,
  reusedPositions: 0,
  prefillMs: 1,
  prefillTokensPerSecond: 1,
  decodeMs: 1,
  decodeTokensPerSecond: 1,
  tokensGenerated: 3,
  visionMs: {},
  visionMsPerImage: 0,
  totalMs: 2,
};

interface Write {
  record: HistoryRecord;
  blobs: number | null;
}

function setup() {
  const writes: Write[] = [];
  const errors: unknown[] = [];
  let ids = 0;
  const blob = new Blob([new Uint8Array([1, 2])]);
  const recorder = createRunRecorder({
    capture: () => ({
      start: {
        task: 'description',
        images: [{ slot: 'a', sha256: 'h', name: 'a.png', format: 'PNG', bytes: 2, width: 1, height: 1, exifRotated: false }],
        settings: { maxNewTokens: 24, sampling: null, loopGuard: false },
        model: { name: 'tiny', variant: 'q4', backend: 'wasm' },
      },
      blobs: new Map([['h', blob]]),
    }),
    persist: async (record, blobs) => {
      writes.push({ record, blobs: blobs === null ? null : blobs.size });
    },
    onError: (error) => errors.push(error),
    throttleMs: 1000,
    now: () => Date.now(),
    newId: () => `run-${++ids}`,
  });
  // Drives the recorder the way the store's subscription does: each new state with the one before it.
  let state = idle;
  const to = (next: Partial<ObservedRun>) => {
    const previous = state;
    state = { ...state, ...next };
    recorder.observe(state, previous);
  };
  return { recorder, writes, errors, to };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(10_000);
});
afterEach(() => vi.useRealTimers());

describe('the run recorder', () => {
  it('saves a run when it starts (with its images), its streamed answer at most once a second, and its end at once', async () => {
    const { recorder, writes, to } = setup();
    to({ status: 'encoding', text: '' });
    to({ status: 'running', question: 'Describe.' });
    // Tokens every 100 ms for 2.5 s.
    let text = '';
    for (let step = 0; step < 25; step++) {
      vi.advanceTimersByTime(100);
      text += 'w';
      to({ text });
    }
    vi.advanceTimersByTime(50);
    to({ status: 'done', text: 'final', summary: { verdict: null, distortion: null, confidence: null, confidenceReport: null, comparison: null, stats, stopReason: 'eos' } });
    vi.advanceTimersByTime(5000);
    await recorder.settled();

    expect(writes[0]).toMatchObject({ blobs: 1, record: { id: 'run-1', status: 'running', answer: '', task: 'description', startedAt: 10_000 } });
    const partial = writes.slice(1, -1);
    expect(partial.every((write) => write.record.status === 'running' && write.blobs === null)).toBe(true);
    // Saved at 11 000 and 12 000 ms, each with the text as it stood then (the token of that instant comes after).
    expect(partial.map((write) => [write.record.updatedAt, write.record.answer.length])).toEqual([
      [10_900, 9],
      [11_900, 19],
    ]);
    expect(writes.at(-1)).toMatchObject({ blobs: null, record: { id: 'run-1', status: 'done', answer: 'final', stats, updatedAt: 12_550 } });
    expect(writes).toHaveLength(4);
  });

  it('gives each run its own record and ignores store changes between runs (a saved run shown again)', async () => {
    const { recorder, writes, to } = setup();
    to({ status: 'encoding' });
    to({ status: 'failed', error: { code: 'MODEL_RUN_FAILED', message: 'Boom.' } });
    to({ status: 'done', text: 'shown from history', error: null });
    to({ status: 'encoding', text: '' });
    to({ status: 'stopped', text: 'par' });
    await recorder.settled();
    expect(writes.map((write) => [write.record.id, write.record.status])).toEqual([
      ['run-1', 'running'],
      ['run-1', 'failed'],
      ['run-2', 'running'],
      ['run-2', 'stopped'],
    ]);
    expect(writes[1]!.record.error).toEqual({ code: 'MODEL_RUN_FAILED', message: 'Boom.' });
  });

  it('saves the pending partial answer at once when flushed (the page is closing)', async () => {
    const { recorder, writes, to } = setup();
    to({ status: 'encoding' });
    to({ status: 'running', text: 'a' });
    vi.advanceTimersByTime(1000);
    to({ text: 'ab' });
    recorder.flush();
    await recorder.settled();
    expect(writes.map((write) => write.record.answer)).toEqual(['', 'a', 'ab']);
    // Nothing pending: flushing again writes nothing.
    recorder.flush();
    await recorder.settled();
    expect(writes).toHaveLength(3);
  });

  it('reports a failed write and keeps saving later ones', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const recorder = createRunRecorder({
      capture: () => ({ start: { task: 'description', images: [], settings: { maxNewTokens: 1, sampling: null, loopGuard: false }, model: null }, blobs: new Map() }),
      persist: async () => {
        calls += 1;
        if (calls === 1) throw new Error('quota');
      },
      onError: (error) => errors.push(error),
    });
    recorder.observe({ ...idle, status: 'encoding' }, idle);
    recorder.observe({ ...idle, status: 'stopped' }, { ...idle, status: 'encoding' });
    await recorder.settled();
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
  });

  it('saves a confidence filled in after the run ended into that run, and not into a saved run shown again', async () => {
    const { recorder, writes, to } = setup();
    const needs: ConfidenceReport = { kind: 'detail', value: null, source: 'answer', reason: 'needs the sentence model', tokens: [] };
    const filled: ConfidenceReport = { kind: 'detail', value: 0.61, source: 'answer', tokens: [] };
    const summary = { verdict: null, distortion: null, confidence: null, confidenceReport: needs, comparison: null, stats, stopReason: 'eos' as const };
    to({ status: 'encoding' });
    to({ status: 'done', text: 'A long answer.', summary });
    vi.advanceTimersByTime(3000);
    to({ summary: { ...summary, confidenceReport: filled } });
    // A saved run shown again: its own stats object, so not this run's confidence.
    to({ text: 'Another.', summary: { ...summary, stats: { ...stats }, confidenceReport: filled } });
    to({ summary: { ...summary, stats: { ...stats }, confidenceReport: needs } });
    await recorder.settled();
    expect(writes.map((write) => [write.record.id, write.record.status, write.record.confidenceReport?.value ?? null])).toEqual([
      ['run-1', 'running', null],
      ['run-1', 'done', null],
      ['run-1', 'done', 0.61],
    ]);
    expect(writes.at(-1)!.record).toMatchObject({ answer: 'A long answer.', updatedAt: 13_000 });
  });
});
