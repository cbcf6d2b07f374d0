import { describe, expect, it } from 'vitest';
import type { RankResult } from '../engine/rank.ts';
import type { EncodedImage } from '../engine/images.ts';
import { addComparison, createRanking, rankingReport } from '../ranking/index.ts';
import { historyToJson, historyToMarkdown } from './exportHistory.ts';
import { rankHistoryRecord } from './rankRecord.ts';
import { historyTaskLabel } from './record.ts';

const T0 = Date.UTC(2026, 11, 3, 10, 0, 0);

/** Three candidates: c2 beats both others clearly in both orders, c1 and c3 are close. */
function result(): RankResult {
  let state = createRanking(3, { mode: 'allPairs' });
  const answers: [number, number, number, number][] = [
    [0, 1, 0.1, 0.8],
    [1, 0, 0.8, 0.1],
    [1, 2, 0.9, 0.05],
    [2, 1, 0.05, 0.9],
    [0, 2, 0.4, 0.38],
    [2, 0, 0.41, 0.4],
  ];
  for (const [first, second, pFirst, pSecond] of answers) state = addComparison(state, { first, second, pFirst, pSecond });
  const image = (id: string, name: string): EncodedImage => ({ id, name, width: 70, height: 84, grid: { width: 5, height: 6 }, rows: 30, visionMs: 1, cached: false });
  return {
    ...rankingReport(state),
    mode: 'allPairs',
    question: 'Which image is better?',
    reference: image('r', 'ref.png'),
    candidates: [image('a', 'c1.png'), image('b', 'c2.png'), image('c', 'c3.png')],
    cancelled: false,
    stats: { pairs: 3, comparisons: 4, priorComparisons: 2, modelRuns: 4, visionRuns: 4, prefillTokens: 200, prefillTokensSaved: 300, sharedPrefix: 50, elapsedMs: 10, comparisonMs: 8 },
  };
}

const facts = { format: 'PNG', bytes: 10, width: 70, height: 84, exifRotated: false };

describe('rank history records', () => {
  it('keeps the result whole and says the order in words; the exports carry it', () => {
    const rank = result();
    const record = rankHistoryRecord(
      {
        id: 'rank-1',
        images: [
          { slot: 'reference', sha256: 'r'.repeat(64), name: 'ref.png', ...facts },
          { slot: 'candidate', sha256: 'a'.repeat(64), name: 'c1.png', ...facts },
          { slot: 'candidate', sha256: 'b'.repeat(64), name: 'c2.png', ...facts },
          { slot: 'candidate', sha256: 'c'.repeat(64), name: 'c3.png', ...facts },
        ],
        model: { name: 'tiny', variant: 'q4', backend: 'wasm' },
        startedAt: T0,
      },
      rank,
      T0 + 5000,
    );
    expect(record).toMatchObject({ task: 'rank', status: 'done', question: 'Which image is better?', rank, updatedAt: T0 + 5000 });
    expect(record.answer.split('\n')[0]).toBe(`3 images ranked: c2.png best, ${rank.ranking[2]!.index === 0 ? 'c1.png' : 'c3.png'} worst${rank.settled ? '' : ' (some not told apart)'}.`);
    expect(record.answer.split('\n')[2]).toMatch(/^1\. c2\.png {2}\+\d\.\d{3} \[/);
    expect(historyTaskLabel(record.task)).toBe('Rank');

    const markdown = historyToMarkdown([record], new Date(T0));
    expect(markdown).toContain('## Rank · 2026-12-03 10:00:00 UTC');
    expect(markdown).toContain('  - Candidate: c2.png (PNG, 70×84');
    expect(markdown).toMatch(/\| 1 \| c2\.png \| \+\d\.\d{3} \|/);
    expect(markdown).toContain('- **Pairs:** 3 (all pairs) · 6 comparisons · 4 model runs · 300 prefill tokens saved');
    expect(markdown).not.toContain('**Settings:**');
    const exported = JSON.parse(historyToJson([record], new Date(T0))) as { runs: { rank: RankResult }[] };
    expect(exported.runs[0]!.rank.ranking).toEqual(rank.ranking);
  });
});
