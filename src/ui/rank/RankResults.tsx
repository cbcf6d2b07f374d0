import { Download } from 'lucide-react';
import { useState } from 'react';
import type { RankResult } from '../../core/engine/rank.ts';
import { rankCsv, rankRecord } from '../../core/ranking/rankRecord.ts';
import { useModelStore } from '../../state/useModelStore.ts';
import type { SlotImage } from '../../state/useImageStore.ts';
import { useRunStore } from '../../state/useRunStore.ts';
import { AnswerPanel } from '../answer/AnswerPanel.tsx';
import { downloadText, fileStamp } from '../history/download.ts';
import { explainPair } from './rankActions.ts';
import { RankAgreement } from './RankAgreement.tsx';
import { RankTable } from './RankTable.tsx';
import { ScorePlot } from './ScorePlot.tsx';
import { HEADING_CLASS, SECONDARY_CLASS } from './styles.ts';

interface Props {
  result: RankResult;
  reference: SlotImage | null;
  candidates: readonly SlotImage[];
}

/** A finished (or stopped) ranking: stats, the plot, the table with Explain, and the exports. */
export function RankResults({ result, reference, candidates }: Props) {
  const model = useModelStore((state) => state.model);
  const busy = useRunStore((state) => state.status === 'encoding' || state.status === 'running');
  const [explained, setExplained] = useState<[number, number] | null>(null);
  const names = candidates.map((image) => image.name);
  const { stats } = result;
  const allPairs = (candidates.length * (candidates.length - 1)) / 2;
  const where = { device: model?.backend ?? 'unknown', variant: model?.variant ?? 'unknown' };
  const exportAs = (format: 'csv' | 'json') => {
    const base = `depictqa-ranking-${fileStamp(Date.now())}`;
    const namesArg = { candidates: names, reference: reference?.name };
    if (format === 'csv') downloadText(`${base}.csv`, rankCsv(result, namesArg), 'text/csv');
    else downloadText(`${base}.json`, `${JSON.stringify(rankRecord(result, namesArg, where), null, 2)}\n`, 'application/json');
  };
  const tied = result.tiedGroups.filter((group) => group.length > 1).length;

  return (
    <section aria-labelledby="rank-results-heading" className="space-y-3" data-testid="rank-results" data-cancelled={result.cancelled}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 id="rank-results-heading" className={HEADING_CLASS}>
          {result.cancelled ? 'Ranking so far (stopped)' : 'Ranking'}
        </h3>
        <div className="flex gap-2">
          <button type="button" onClick={() => exportAs('csv')} className={SECONDARY_CLASS}>
            <Download aria-hidden="true" className="size-4" />
            CSV
          </button>
          <button type="button" onClick={() => exportAs('json')} className={SECONDARY_CLASS}>
            <Download aria-hidden="true" className="size-4" />
            JSON
          </button>
        </div>
      </div>
      <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-xs text-slate-600 tabular-nums sm:grid-cols-3 dark:text-slate-300" data-testid="rank-stats">
        <Stat label="Pairs asked" value={`${stats.pairs} of budget ${result.mode === 'allPairs' ? allPairs : Math.min(allPairs, Math.ceil(candidates.length * Math.log2(candidates.length)))} (all pairs ${allPairs})`} />
        <Stat label="Comparisons" value={`${stats.comparisons} new${stats.priorComparisons > 0 ? ` + ${stats.priorComparisons} resumed` : ''}`} testId="rank-stat-comparisons" />
        <Stat label="Model runs" value={String(stats.modelRuns)} />
        <Stat label="Prefill tokens saved" value={`${stats.prefillTokensSaved} of ${stats.prefillTokens + stats.prefillTokensSaved}`} />
        <Stat label="Position bias" value={`${(result.positionBias * 100).toFixed(1)}% for Image A (50% is none)`} testId="rank-bias" />
        <Stat label="Order" value={result.settled ? 'settled' : `${tied} tied ${tied === 1 ? 'group' : 'groups'} (overlapping intervals)`} />
      </dl>
      <ScorePlot ranking={result.ranking} names={names} />
      <RankTable
        result={result}
        candidates={candidates}
        onExplain={
          busy || model === null
            ? null
            : (better, worse) => {
                setExplained([better, worse]);
                void explainPair(candidates[better]!, candidates[worse]!, reference);
              }
        }
      />
      <RankAgreement result={result} reference={reference} candidates={candidates} />
      {explained !== null && (
        <div className="space-y-1" data-testid="rank-explanation">
          <p className="text-xs text-slate-600 dark:text-slate-300">
            Why {names[explained[0]]} (Image A) ranks above {names[explained[1]]} (Image B):
          </p>
          <AnswerPanel />
        </div>
      )}
    </section>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="flex gap-1" data-testid={testId}>
      <dt className="text-slate-500 dark:text-slate-400">{label}:</dt>
      <dd className="font-medium text-slate-800 dark:text-slate-100">{value}</dd>
    </div>
  );
}
