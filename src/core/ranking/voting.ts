import { voteScores, type Comparison } from '../generation/scores.ts';
import { comparisonConfidence } from '../generation/verdict.ts';
import type { ComparisonRecord } from './records.ts';

/**
 * DepictQA's voting score (src/eval/cal_srcc_plcc_voting.py) per image index: the winner of each answer
 * gets its confidence c, the loser 1 − c, and an image's score is the mean over its answers. With
 * c = p(▁winner) / (p(▁A) + p(▁B)) this is the mean of the image's own normalised probability.
 * NaN for an image that was never compared.
 */
export function votingScores(n: number, records: readonly ComparisonRecord[]): number[] {
  const comparisons: Comparison[] = records.map((record) => {
    const { confidenceA, verdict } = comparisonConfidence(record.pFirst, record.pSecond);
    return { a: String(record.first), b: String(record.second), winner: verdict, confidence: verdict === 'A' ? confidenceA : 1 - confidenceA };
  });
  const scores = new Array<number>(n).fill(NaN);
  for (const { image, score } of voteScores(comparisons)) scores[Number(image)] = score;
  return scores;
}
