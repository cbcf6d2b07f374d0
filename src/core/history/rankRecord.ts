import type { RankResult } from '../engine/rank.ts';
import { beginRecord, type HistoryImage, type HistoryModel, type HistoryRecord } from './record.ts';

export interface RankRunStart {
  id: string;
  /** The reference (slot 'reference') and the candidates in request order (slot 'candidate'). */
  images: HistoryImage[];
  model: HistoryModel | null;
  startedAt: number;
}

/**
 * A finished ranking as a history record: the engine's result kept whole (the page shows it again from it), and
 * as its "answer" the order in words, so the list, Copy and the Markdown export read it like any run.
 */
export function rankHistoryRecord(start: RankRunStart, result: RankResult, now: number): HistoryRecord {
  const names = start.images.filter((image) => image.slot === 'candidate').map((image) => image.name);
  const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;
  const best = names[result.ranking[0]!.index];
  const worst = names[result.ranking.at(-1)!.index];
  const lines = [
    `${names.length} images ranked: ${best} best, ${worst} worst${result.settled ? '' : ' (some not told apart)'}.`,
    '',
    ...result.ranking.map((entry, k) => `${k + 1}. ${names[entry.index]}  ${signed(entry.score)} [${signed(entry.low)}, ${signed(entry.high)}]`),
  ];
  const begun = beginRecord({ ...start, task: 'rank', settings: { maxNewTokens: 0, sampling: null, loopGuard: false } });
  return { ...begun, status: result.cancelled ? 'stopped' : 'done', question: result.question, answer: lines.join('\n'), rank: result, updatedAt: now };
}
