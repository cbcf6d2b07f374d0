import { describe, expect, it } from 'vitest';
import { type ComparisonVerdict, type ConfidenceReport, NEEDS_SENTENCE_MODEL } from '../engine/confidence.ts';
import { historyToJson, historyToMarkdown, runToMarkdown, type HistoryExport } from './exportHistory.ts';
import { localizeHistoryRecord } from './localizeRecord.ts';
import { beginRecord, interruptRecord, updateRecord, type HistoryRecord } from './record.ts';
import { runStats } from './testing/runStats.ts';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 3);
const stats = runStats(2150);

function comparison(): HistoryRecord {
  const begun = beginRecord({
    id: 'run-cmp',
    task: 'comparison',
    images: [
      { slot: 'reference', sha256: 'ab'.repeat(32), name: 'ref.png', format: 'PNG', bytes: 2048, width: 512, height: 512, exifRotated: false },
      { slot: 'a', sha256: 'cd'.repeat(32), name: 'a.jpg', format: 'JPEG', bytes: 100, width: 512, height: 512, exifRotated: false },
      { slot: 'b', sha256: 'ef'.repeat(32), name: 'b.jpg', format: 'JPEG', bytes: 150_000, width: 512, height: 512, exifRotated: false },
    ],
    settings: { maxNewTokens: 24, sampling: { temperature: 0.7, topP: 0.9, seed: 7 }, loopGuard: false },
    model: { name: 'DepictQA tiny', variant: 'q4', backend: 'wasm' },
    startedAt: T0,
  });
  const confidence = { pA: 0.3, pB: 0.1, confidenceA: 0.75, verdict: 'A' as const, source: 'answer' as const };
  const letters: ComparisonVerdict = { verdict: 'A', source: 'answer', position: 0, letter: 'A', pA: 0.3, pB: 0.1, normalizedRatioA: 0.75, letterProbability: 0.3 };
  const confidenceReport: ConfidenceReport = { kind: 'compare-brief', value: 0.3, source: 'answer', tokens: [], letters };
  return updateRecord(
    begun,
    {
      status: 'done',
      text: 'Image A is better.\n\nIt has less noise.',
      question: 'Which image is better?',
      summary: { verdict: 'A', distortion: null, confidence, confidenceReport, comparison: letters, stats, stopReason: 'eos' },
      error: null,
    },
    T0 + 2150,
  );
}

function interruptedDescription(): HistoryRecord {
  const begun = beginRecord({
    id: 'run-desc',
    task: 'description',
    images: [{ slot: 'a', sha256: '01'.repeat(32), name: 'photo\nname.png', format: 'PNG', bytes: 5, width: 70, height: 84, exifRotated: false }],
    settings: { maxNewTokens: 400, sampling: null, loopGuard: true },
    model: null,
    startedAt: T0 + 60_000,
  });
  const partial = updateRecord(begun, { status: 'running', text: 'The image', question: 'Describe it.', summary: null, error: null }, T0 + 61_000);
  return interruptRecord(partial, T0 + 120_000);
}

function failed(): HistoryRecord {
  const begun = beginRecord({ id: 'run-fail', task: 'distortion', images: [], settings: { maxNewTokens: 400, sampling: null, loopGuard: false }, model: null, startedAt: T0 });
  return updateRecord(
    begun,
    { status: 'failed', text: '', question: null, summary: null, error: { code: 'IMAGE_MISSING', message: 'Image A is missing.', hint: 'Add image A.' } },
    T0 + 1,
  );
}

describe('history export as JSON', () => {
  it('keeps every field of the records, with ISO times and no image bytes', () => {
    const records = [comparison(), interruptedDescription()];
    const text = historyToJson(records, new Date(T0 + 200_000));
    const parsed = JSON.parse(text) as HistoryExport;
    expect(parsed.format).toBe('depictqa-web-history');
    expect(parsed.version).toBe(1);
    expect(parsed.exportedAt).toBe('2026-11-26T12:03:23.000Z');
    expect(parsed.runs).toHaveLength(2);
    const [first, second] = parsed.runs;
    expect(first).toEqual({ ...records[0], startedAt: '2026-11-26T12:00:03.000Z', updatedAt: '2026-11-26T12:00:05.150Z' });
    expect(first!.images.map((image) => [image.name, image.bytes, image.sha256])).toEqual([
      ['ref.png', 2048, 'ab'.repeat(32)],
      ['a.jpg', 100, 'cd'.repeat(32)],
      ['b.jpg', 150_000, 'ef'.repeat(32)],
    ]);
    expect(second).toMatchObject({ status: 'stopped', interrupted: true, answer: 'The image' });
    // DepictQA's confidence and the verdict record travel with the run.
    expect(first!.confidenceReport).toMatchObject({ kind: 'compare-brief', value: 0.3, source: 'answer' });
    expect(first!.comparison).toMatchObject({ verdict: 'A', pA: 0.3, pB: 0.1, normalizedRatioA: 0.75 });
    // Plain data: nothing in it is a blob, a typed array or a data URL.
    expect(text).not.toMatch(/data:|blob:|"0":/);
    expect(text.endsWith('}\n')).toBe(true);
  });
});

describe('history export as Markdown', () => {
  it('writes a run as a person reads it: task, status, model, images, verdict with confidence, settings, stats, question and answer', () => {
    expect(runToMarkdown(comparison())).toBe(
      [
        '## Comparison · 2026-11-26 12:00:03 UTC',
        '',
        '- **Status:** done',
        '- **Model:** DepictQA tiny (q4, CPU (wasm))',
        '- **Images:**',
        `  - Reference: ref.png (PNG, 512×512, 2.00 KiB, sha256 \`${'ab'.repeat(32)}\`)`,
        `  - Image A: a.jpg (JPEG, 512×512, 100 B, sha256 \`${'cd'.repeat(32)}\`)`,
        `  - Image B: b.jpg (JPEG, 512×512, 146 KiB, sha256 \`${'ef'.repeat(32)}\`)`,
        '- **Verdict:** Image A is better (75% confidence)',
        "- **Confidence:** 0.30 (compare-brief) — Probability of the letter after 'Image' (upstream); from the answer. p(A) 0.30, p(B) 0.10; normalised p(A)/(p(A)+p(B)) = 0.75.",
        '- **Settings:** max new tokens 24; temperature 0.7; top-p 0.9; seed 7',
        '- **Stats:** 24 tokens · 25.6 tokens/s · first token after 120 ms · total 2.1 s',
        '',
        '**Question:** Which image is better?',
        '',
        '**Answer:**',
        '',
        '> Image A is better.',
        '>',
        '> It has less noise.',
        '',
      ].join('\n'),
    );
  });

  it('marks an interrupted run and keeps a file name on one line', () => {
    const text = runToMarkdown(interruptedDescription());
    expect(text).toContain('- **Status:** stopped (interrupted: the page closed while it answered)');
    expect(text).toContain('- **Model:** none loaded');
    expect(text).toContain('  - Image A: photo name.png (PNG, 70×84, 5 B');
    expect(text).toContain('- **Settings:** max new tokens 400; greedy; loop guard on');
    expect(text).not.toContain('**Stats:**');
    expect(text).not.toContain('**Verdict:**');
    expect(text).toContain('> The image\n');
  });

  it('says when a detailed answer needed the sentence model, and leaves older records without the line', () => {
    const record = interruptedDescription();
    const report: ConfidenceReport = { kind: 'detail', value: null, source: 'answer', reason: NEEDS_SENTENCE_MODEL, tokens: [] };
    expect(runToMarkdown({ ...record, confidenceReport: report })).toContain(
      '- **Confidence:** needs the sentence model (detail) — Weighted mean probability of the 30 most important tokens (sentence-embedder importance); from the answer.\n',
    );
    const brief: ConfidenceReport = {
      kind: 'single-brief',
      value: 0.8234,
      source: 're-ask',
      tokens: [],
      reask: { question: 'Describe it. Answer the question using a single word or phrase.', rawText: 'blur', ids: [1], probabilities: [0.8] },
    };
    expect(runToMarkdown({ ...record, confidenceReport: brief })).toContain(
      "- **Confidence:** 0.82 (single-brief) — Mean probability of the answer's tokens; from the answer to the question asked again with 'Answer the question using a single word or phrase.'.\n",
    );
    const { confidenceReport: _report, comparison: _comparison, ...older } = record;
    expect(runToMarkdown(older)).not.toContain('**Confidence:**');
  });

  it('says why a failed run has no answer', () => {
    const text = runToMarkdown(failed());
    const parts = [
      '## Distortion identification · 2026-11-26 12:00:03 UTC',
      '- **Status:** failed',
      '- **Images:** none',
      '**Question:** _none: the run failed before asking_',
      '> _(no answer)_',
      '**Error** (`IMAGE_MISSING`): Image A is missing.\n\nAdd image A.\n',
    ];
    for (const part of parts) expect(text).toContain(part);
  });

  it('puts a title and the count above the runs, in the order given', () => {
    const records = [comparison(), interruptedDescription(), failed()];
    const text = historyToMarkdown(records, new Date(T0));
    expect(text.startsWith('# DepictQA Web history\n\nExported 2026-11-26 12:00:03 UTC · 3 runs\n\n## Comparison')).toBe(true);
    const headings = text.split('\n').filter((line) => line.startsWith('## '));
    expect(headings).toEqual([
      '## Comparison · 2026-11-26 12:00:03 UTC',
      '## Description · 2026-11-26 12:01:03 UTC',
      '## Distortion identification · 2026-11-26 12:00:03 UTC',
    ]);
    expect(historyToMarkdown([failed()], new Date(T0))).toContain('· 1 run\n');
  });

  it('writes a quality map with its tiles and its summary, and keeps the map whole in JSON', () => {
    const images = comparison().images;
    const map = {
      mode: 'compare' as const,
      grid: { rows: 1, cols: 2 },
      overlap: 0,
      tolerance: 0.005,
      width: 512,
      height: 512,
      tiles: [
        { row: 0, col: 0, x: 0, y: 0, w: 256, h: 512, skipped: true, reason: 'no visible difference: identical pixels' },
        { row: 0, col: 1, x: 256, y: 0, w: 256, h: 512, skipped: false, pA: 0.25 },
      ],
      stats: { asked: 1, skipped: 1, visionRuns: 3, prefillTokens: 90 },
      cancelled: false,
    };
    const record = localizeHistoryRecord({ id: 'run-map', images, model: null, startedAt: T0 }, map, T0 + 500);
    expect(record).toMatchObject({ task: 'localize', status: 'done', question: null, localize: map });
    const text = runToMarkdown(record);
    const parts = [
      '## Where (quality map) · 2026-11-26 12:00:03 UTC',
      '- **Map:** 1×2 tiles of 512×512 px, overlap 0 px, skip tolerance 0.005',
      '| r1c1 | 0 | 0 | 256 × 512 | – | no visible difference: identical pixels |',
      '| r1c2 | 256 | 0 | 256 × 512 | 0.250 |  |',
      '**Summary:**\n\n> 1×2 map of A against B: 0 tiles favour A, 1 tile favours B, 1 skipped (no visible difference).',
    ];
    for (const part of parts) expect(text).toContain(part);
    // Its question is the brief comparison of every tile, not one question: no Question line, no Settings line.
    expect(text).not.toContain('**Question:**');
    expect(text).not.toContain('**Settings:**');
    const exported = JSON.parse(historyToJson([record], new Date(T0))) as HistoryExport;
    expect(exported.runs[0]!.localize).toEqual(map);
  });
});
