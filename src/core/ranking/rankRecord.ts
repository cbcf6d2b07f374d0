import type { RankResult } from '../engine/rank.ts';

/** The images of a ranking by name, as the record shows them: paths in `npm run rank`, file names in the page. */
export interface RankNames {
  candidates: readonly string[];
  reference?: string | undefined;
}

export type RankRecord = ReturnType<typeof rankRecord>;

/**
 * The --json record: `ranking` best first (one entry per candidate), `comparisons` one per pair with both orders'
 * raw p(▁A), p(▁B), the position bias and what the ranking cost.
 */
export function rankRecord(result: RankResult, args: RankNames, where: { device: string; variant: string }) {
  const image = (index: number) => args.candidates[index]!;
  const order = (first: number, second: number, p: { pA: number; pB: number } | null) => (p === null ? null : { a: image(first), b: image(second), pA: p.pA, pB: p.pB });
  const { stats } = result;
  return {
    device: where.device,
    variant: where.variant,
    mode: result.mode,
    reference: args.reference ?? null,
    question: result.question,
    ranking: result.ranking.map((entry, rank) => ({
      rank: rank + 1,
      image: image(entry.index),
      index: entry.index,
      score: entry.score,
      low: entry.low,
      high: entry.high,
      votes: entry.votes,
      wins: entry.wins,
      losses: entry.losses,
    })),
    comparisons: result.comparisons.map((pair) => ({
      images: [image(pair.i), image(pair.j)],
      orders: [order(pair.i, pair.j, pair.iFirst), order(pair.j, pair.i, pair.jFirst)].filter((o) => o !== null),
      pFirstBetter: pair.pIBeatsJ,
    })),
    positionBias: result.positionBias,
    tiedGroups: result.tiedGroups.map((group) => group.map(image)),
    settled: result.settled,
    stats: {
      pairs: stats.pairs,
      comparisons: stats.comparisons,
      priorComparisons: stats.priorComparisons,
      modelRuns: stats.modelRuns,
      visionRuns: stats.visionRuns,
      prefillTokens: stats.prefillTokens,
      prefillTokensSaved: stats.prefillTokensSaved,
      sharedPrefix: stats.sharedPrefix,
      elapsedMs: stats.elapsedMs,
    },
  };
}


/**
 * The ranking as CSV (RFC 4180), best first: rank ("=3" for images not told apart from a neighbour), image, score
 * and its 95% interval, DepictQA's voting score, pairs won and lost.
 */
export function rankCsv(result: RankResult, names: RankNames): string {
  const tiedWith = new Map<number, number>();
  for (const [k, group] of result.tiedGroups.entries()) if (group.length > 1) for (const index of group) tiedWith.set(index, k);
  const rows = [['rank', 'image', 'score', 'low95', 'high95', 'voting_score', 'wins', 'losses', 'tied']];
  let shownRank = 0;
  for (const [position, entry] of result.ranking.entries()) {
    const previous = result.ranking[position - 1];
    const sameGroup = previous !== undefined && tiedWith.has(entry.index) && tiedWith.get(previous.index) === tiedWith.get(entry.index);
    if (!sameGroup) shownRank = position + 1;
    rows.push([
      String(shownRank),
      names.candidates[entry.index]!,
      String(entry.score),
      String(entry.low),
      String(entry.high),
      Number.isFinite(entry.votes) ? String(entry.votes) : '',
      String(entry.wins),
      String(entry.losses),
      tiedWith.has(entry.index) ? 'yes' : 'no',
    ]);
  }
  return `${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
