import { describe, expect, it } from 'vitest';
import type { LoadProgress } from '../../core/bundle/bundleFiles.ts';
import { createProgressTracker } from './progressTracker.ts';

function setup(intervalMs = 100) {
  let clockMs = 0;
  const events: LoadProgress[] = [];
  const files = [
    { path: 'tokenizer.json', bytes: 1000 },
    { path: 'onnx/decoder_q4.onnx_data', bytes: 10_000 },
  ];
  const tracker = createProgressTracker(files, (event) => events.push(event), { intervalMs, now: () => clockMs });
  return { tracker, events, tick: (ms: number) => (clockMs += ms) };
}

describe('createProgressTracker', () => {
  it('counts cached files at once and reports them as such', () => {
    const { tracker, events } = setup();
    tracker.fromCache('tokenizer.json');
    expect(events).toEqual([
      {
        file: 'tokenizer.json',
        fileBytesLoaded: 1000,
        fileBytesTotal: 1000,
        bytesLoaded: 1000,
        bytesTotal: 11_000,
        bytesPerSecond: 0,
        etaSeconds: null,
        fromCache: true,
      },
    ]);
  });

  it('throttles chunk reports to one per interval but always reports start and end', () => {
    const { tracker, events, tick } = setup(100);
    tracker.start('onnx/decoder_q4.onnx_data', 0);
    for (let i = 0; i < 100; i++) {
      tick(10);
      tracker.add('onnx/decoder_q4.onnx_data', 100); // 10 kB/s for 1 s
    }
    tracker.done('onnx/decoder_q4.onnx_data');
    // start, one per 100 ms of the 1 s, done.
    expect(events.length).toBe(1 + 10 + 1);
    const last = events[events.length - 1]!;
    expect(last.fileBytesLoaded).toBe(10_000);
    expect(last.bytesLoaded).toBe(10_000);
    expect(last.bytesPerSecond).toBeCloseTo(10_000, 6);
    // The tokenizer is still missing: 1000 bytes at 10 kB/s.
    expect(last.etaSeconds).toBeCloseTo(0.1, 6);
    // Totals never run backwards during a plain download.
    const totals = events.map((event) => event.bytesLoaded);
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
  });

  it('starts a resumed file at the bytes already stored, which do not count towards the rate', () => {
    const { tracker, events, tick } = setup(0);
    tracker.start('onnx/decoder_q4.onnx_data', 6000);
    expect(events[0]).toMatchObject({ fileBytesLoaded: 6000, bytesLoaded: 6000, bytesPerSecond: 0, etaSeconds: null });
    tick(1000);
    tracker.add('onnx/decoder_q4.onnx_data', 2000);
    expect(events[1]).toMatchObject({ fileBytesLoaded: 8000, bytesPerSecond: 2000, etaSeconds: 1.5 });
  });

  it('takes back bytes thrown away for a restart without a negative rate', () => {
    const { tracker, events, tick } = setup(0);
    tracker.start('tokenizer.json', 0);
    tick(600);
    tracker.add('tokenizer.json', 600);
    tick(100);
    tracker.add('tokenizer.json', -600);
    const last = events[events.length - 1]!;
    expect(last.fileBytesLoaded).toBe(0);
    expect(last.bytesLoaded).toBe(0);
    expect(last.bytesPerSecond).toBeGreaterThan(0);
  });

  it('refuses progress for a file outside the load', () => {
    const { tracker } = setup();
    expect(() => tracker.fromCache('other.bin')).toThrow(/other\.bin, which is not part of this load/);
  });
});
