import { describe, expect, it } from 'vitest';
import type { ConfidenceReport } from '../engine/confidence.ts';
import {
  beginRecord,
  chosenConfidence,
  firstLine,
  interruptRecord,
  recordToSnapshot,
  samplingFrom,
  updateRecord,
  verdictLabel,
  type RunStart,
  type RunSnapshot,
} from './record.ts';
import { runStats } from './testing/runStats.ts';

const STATS = runStats(1050);

const START: RunStart = {
  id: 'run-1',
  task: 'comparison',
  images: [
    { slot: 'a', sha256: 'aa'.repeat(32), name: 'a.png', format: 'PNG', bytes: 1234, width: 70, height: 84, exifRotated: false },
    { slot: 'b', sha256: 'bb'.repeat(32), name: 'b.jpg', format: 'JPEG', bytes: 5678, width: 70, height: 84, exifRotated: false },
  ],
  settings: { maxNewTokens: 24, sampling: null, loopGuard: false },
  model: { name: 'tiny', variant: 'q4', backend: 'wasm' },
  startedAt: Date.UTC(2026, 10, 26, 12, 0, 0),
};

const REPORT: ConfidenceReport = { kind: 'single-brief', value: 0.8, source: 'answer', tokens: [] };

const running = (text: string): RunSnapshot => ({ status: 'running', text, question: 'Which is better?', summary: null, error: null });

describe('history records', () => {
  it('start empty and running, then follow the run store to its end', () => {
    const begun = beginRecord(START);
    expect(begun).toMatchObject({ id: 'run-1', status: 'running', answer: '', question: null, stats: null, interrupted: false });
    expect(begun.updatedAt).toBe(START.startedAt);

    const encoding = updateRecord(begun, { status: 'encoding', text: '', question: null, summary: null, error: null }, START.startedAt + 5);
    expect(encoding.status).toBe('running');

    const partial = updateRecord(encoding, running('Image A'), START.startedAt + 1000);
    expect(partial).toMatchObject({ status: 'running', answer: 'Image A', question: 'Which is better?', updatedAt: START.startedAt + 1000 });

    const confidence = { pA: 0.6, pB: 0.2, confidenceA: 0.75, verdict: 'A' as const, source: 'answer' as const };
    const done = updateRecord(
      partial,
      { ...running('Image A'), status: 'done', summary: { verdict: 'A', distortion: null, confidence, confidenceReport: REPORT, comparison: null, stats: STATS, stopReason: 'eos' } },
      START.startedAt + 2000,
    );
    expect(done).toMatchObject({ status: 'done', verdict: 'A', confidence, confidenceReport: REPORT, comparison: null, stats: STATS, stopReason: 'eos', error: null });
    // What the run started with is kept as it was.
    expect(done.images).toEqual(START.images);
    expect(done.settings).toEqual(START.settings);
    expect(done.model).toEqual(START.model);
  });

  it('keep a failed run with its error (code, message, hint) but not its stack', () => {
    const failed = updateRecord(
      beginRecord(START),
      { status: 'failed', text: '', question: null, summary: null, error: { code: 'ENGINE_NOT_LOADED', message: 'No model.', hint: 'Load one.', stack: 'at x' } },
      START.startedAt + 10,
    );
    expect(failed.status).toBe('failed');
    expect(failed.error).toEqual({ code: 'ENGINE_NOT_LOADED', message: 'No model.', hint: 'Load one.' });
    expect(failed.question).toBeNull();
  });

  it('turn a record left running into an interrupted stop, and leave finished ones alone', () => {
    const partial = updateRecord(beginRecord(START), running('The image is'), START.startedAt + 1000);
    const interrupted = interruptRecord(partial, START.startedAt + 60_000);
    expect(interrupted).toMatchObject({ status: 'stopped', interrupted: true, answer: 'The image is', updatedAt: START.startedAt + 60_000 });
    const done = { ...partial, status: 'done' as const };
    expect(interruptRecord(done, 1)).toBe(done);
  });

  it('give the answer panel back what it showed', () => {
    const interrupted = interruptRecord(updateRecord(beginRecord(START), running('Half'), 1), 2);
    expect(recordToSnapshot(interrupted)).toEqual({ status: 'stopped', text: 'Half', question: 'Which is better?', summary: null, error: null });

    const summary = { verdict: 'B' as const, distortion: null, confidence: null, confidenceReport: REPORT, comparison: null, stats: STATS, stopReason: 'max_tokens' as const };
    const done = updateRecord(beginRecord(START), { ...running('Image B'), status: 'done', summary }, 3);
    expect(recordToSnapshot(done)).toEqual({ status: 'done', text: 'Image B', question: 'Which is better?', summary, error: null });

    // A record saved before the page kept DepictQA's confidence has no such fields: it opens without them.
    const { confidenceReport: _report, comparison: _comparison, ...older } = done;
    expect(recordToSnapshot(older).summary).toEqual({ ...summary, confidenceReport: null, comparison: null });

    // A record saved while running (a page that never restarted) opens as stopped, never as a live run.
    expect(recordToSnapshot(updateRecord(beginRecord(START), running('x'), 4)).status).toBe('stopped');
  });

  it('name the verdict, the distortion and the chosen image confidence', () => {
    const confidence = { pA: 0.2, pB: 0.6, confidenceA: 0.25, verdict: 'B' as const, source: 'probe' as const };
    expect(verdictLabel({ verdict: 'B', distortion: null })).toBe('Image B is better');
    expect(verdictLabel({ verdict: null, distortion: 'None' })).toBe('No distortion');
    expect(verdictLabel({ verdict: null, distortion: 'JPEG compression' })).toBe('JPEG compression');
    expect(verdictLabel({ verdict: null, distortion: null })).toBeNull();
    expect(chosenConfidence({ verdict: 'B', confidence })).toBeCloseTo(0.75, 12);
    expect(chosenConfidence({ verdict: 'A', confidence })).toBeCloseTo(0.25, 12);
    expect(chosenConfidence({ verdict: null, confidence })).toBeNull();
  });

  it('show the first non-empty line of an answer', () => {
    expect(firstLine('\n  The image is blurry.\nSecond line')).toBe('The image is blurry.');
    expect(firstLine('   \n\n')).toBe('');
  });
});

describe('samplingFrom', () => {
  it('keeps the known numeric options and nothing else', () => {
    expect(samplingFrom({ temperature: 0.7, topP: 0.9, seed: 3, label: 'x', topK: Number.NaN })).toEqual({ temperature: 0.7, topP: 0.9, seed: 3 });
    expect(samplingFrom({ enabled: true })).toBeNull();
    expect(samplingFrom(undefined)).toBeNull();
    expect(samplingFrom(0.7)).toBeNull();
  });
});
