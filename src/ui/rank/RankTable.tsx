import { MessageSquareText } from 'lucide-react';
import type { RankResult } from '../../core/engine/rank.ts';
import type { SlotImage } from '../../state/useImageStore.ts';
import { ScrollTable } from '../layout/ScrollTable.tsx';

const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)}`;

/** Ranks as shown: images not told apart from a neighbour share the first one's rank, marked "=". */
export function shownRanks(result: Pick<RankResult, 'ranking' | 'tiedGroups'>): { rank: number; tied: boolean }[] {
  const group = new Map<number, number>();
  for (const [k, members] of result.tiedGroups.entries()) if (members.length > 1) for (const index of members) group.set(index, k);
  let rank = 0;
  return result.ranking.map((entry, position) => {
    const previous = result.ranking[position - 1];
    const tied = group.has(entry.index);
    if (!(previous !== undefined && tied && group.get(previous.index) === group.get(entry.index))) rank = position + 1;
    return { rank, tied };
  });
}

interface Props {
  result: RankResult;
  candidates: readonly SlotImage[];
  /** Runs the Reasoning task on a pair of neighbours; absent while it cannot run. */
  onExplain: ((better: number, worse: number) => void) | null;
}

/** The ranking, best first: thumbnail, score ± 95% interval, DepictQA's voting score, pairs won and lost. */
export function RankTable({ result, candidates, onExplain }: Props) {
  const ranks = shownRanks(result);
  return (
    <ScrollTable className="w-full text-sm tabular-nums" testId="rank-table">
      <caption className="sr-only">Ranking, best first</caption>
      <thead>
        <tr className="border-b border-slate-200 text-left text-xs text-slate-500 dark:border-slate-700 dark:text-slate-400">
          <th scope="col" className="py-1 pr-2">Rank</th>
          <th scope="col" className="py-1 pr-2">Image</th>
          <th scope="col" className="py-1 pr-2 text-right">Score ± 95%</th>
          <th scope="col" className="py-1 pr-2 text-right">Voting score</th>
          <th scope="col" className="py-1 pr-2 text-right">Won–lost</th>
          <th scope="col" className="py-1"><span className="sr-only">Explain</span></th>
        </tr>
      </thead>
      <tbody>
        {result.ranking.map((entry, position) => {
          const image = candidates[entry.index];
          const { rank, tied } = ranks[position]!;
          const above = result.ranking[position - 1];
          return (
            <tr key={entry.index} className="border-b border-slate-100 dark:border-slate-800" data-testid="rank-row" data-index={entry.index} data-score={entry.score} data-tied={tied}>
              <td className="py-1 pr-2 font-medium">
                {tied ? `=${rank}` : rank}
                {tied && <span className="ml-1 rounded bg-amber-100 px-1 text-xs font-normal text-amber-900 dark:bg-amber-900/60 dark:text-amber-100">tie</span>}
              </td>
              <td className="py-1 pr-2">
                <div className="flex items-center gap-2">
                  {image !== undefined && <img src={image.previewUrl} alt="" className="size-8 shrink-0 rounded object-cover" />}
                  <span className="truncate" data-testid="rank-name">{image?.name ?? `#${entry.index + 1}`}</span>
                </div>
              </td>
              <td className="py-1 pr-2 text-right whitespace-nowrap" title={`95% interval [${signed(entry.low)}, ${signed(entry.high)}]`}>
                {signed(entry.score)} <span className="text-xs text-slate-500 dark:text-slate-400">[{signed(entry.low)}, {signed(entry.high)}]</span>
              </td>
              <td className="py-1 pr-2 text-right">{Number.isFinite(entry.votes) ? entry.votes.toFixed(3) : '–'}</td>
              <td className="py-1 pr-2 text-right">
                {entry.wins}–{entry.losses}
              </td>
              <td className="py-1 text-right">
                {above !== undefined && onExplain !== null && (
                  <button
                    type="button"
                    onClick={() => onExplain(above.index, entry.index)}
                    aria-label={`Explain: ${candidates[above.index]?.name ?? ''} against ${image?.name ?? ''}`}
                    title="Ask DepictQA why the image above is better (Reasoning)"
                    className="inline-flex items-center gap-1 rounded-md px-1.5 py-0.5 text-xs text-sky-800 hover:bg-sky-50 focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-sky-300 dark:hover:bg-sky-950"
                  >
                    <MessageSquareText aria-hidden="true" className="size-3.5" />
                    Explain
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </ScrollTable>
  );
}
