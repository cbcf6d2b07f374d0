import { ListOrdered, RotateCcw, Square, Trash2 } from 'lucide-react';
import { useEffect } from 'react';
import { MIN_IMAGES } from '../../core/ranking/index.ts';
import { useModelStore } from '../../state/useModelStore.ts';
import { useRankStore } from '../../state/useRankStore.ts';
import { useRunStore } from '../../state/useRunStore.ts';
import { CandidateGrid } from './CandidateGrid.tsx';
import { CandidateInput } from './CandidateInput.tsx';
import { discardRanking, findResumable, resumeRanking, startRanking, stopRanking } from './rankActions.ts';
import { RankProgressBar } from './RankProgressBar.tsx';
import { RankResults } from './RankResults.tsx';
import { ReferencePicker } from './ReferencePicker.tsx';
import { HEADING_CLASS, PANEL_CLASS, PRIMARY_CLASS, SECONDARY_CLASS } from './styles.ts';

/** The Rank mode: a reference, 2 to 64 candidates, the protocol, Rank / Stop, progress and the ranking. */
export function RankPanel() {
  useEffect(() => void findResumable(), []);
  const { candidates, mode, setMode, notices, status, progress, result, ranked, error, resumable, clearCandidates } = useRankStore();
  const modelReady = useModelStore((state) => state.status === 'ready' || state.status === 'lost');
  const answering = useRunStore((state) => state.status === 'encoding' || state.status === 'running');
  const running = status === 'running';
  const missing = !modelReady ? 'Load a model first.' : candidates.length < MIN_IMAGES ? `Add at least ${MIN_IMAGES} candidates.` : answering ? 'Wait for the answer to finish.' : null;

  return (
    <section aria-labelledby="rank-heading" className={PANEL_CLASS} data-testid="rank-panel" data-status={status}>
      <h2 id="rank-heading" className={HEADING_CLASS}>
        Rank
      </h2>
      {resumable !== null && !running && (
        <div role="status" className="flex flex-wrap items-center gap-2 rounded-lg border border-sky-200 bg-sky-50 p-3 text-sm dark:border-sky-900 dark:bg-sky-950/40" data-testid="rank-resume">
          <p className="flex-1 text-sky-900 dark:text-sky-100">
            An unfinished ranking of {resumable.candidates} images{resumable.hasReference ? ' with a reference' : ''} is saved, with {resumable.comparisons} comparisons made.
          </p>
          <button type="button" disabled={!modelReady || answering} onClick={() => void resumeRanking(resumable.key)} className={SECONDARY_CLASS}>
            <RotateCcw aria-hidden="true" className="size-4" />
            Resume
          </button>
          <button type="button" onClick={() => void discardRanking(resumable.key)} className={SECONDARY_CLASS}>
            Discard
          </button>
        </div>
      )}
      <ReferencePicker disabled={running} />
      <CandidateInput count={candidates.length} disabled={running} />
      {notices.length > 0 && (
        <ul role="alert" className="space-y-1 rounded-lg border border-amber-200 bg-amber-50 p-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950/40 dark:text-amber-100" data-testid="rank-notices">
          {notices.map((notice) => (
            <li key={notice}>{notice}</li>
          ))}
        </ul>
      )}
      <CandidateGrid disabled={running} />
      <fieldset className="flex flex-wrap gap-4 text-sm" disabled={running}>
        <legend className="sr-only">Pairs to compare</legend>
        <label className="flex items-center gap-2">
          <input type="radio" name="rank-mode" checked={mode === 'active'} onChange={() => setMode('active')} className="accent-sky-600" />
          Active (at most N·log₂N pairs, stops once the order is settled)
        </label>
        <label className="flex items-center gap-2">
          <input type="radio" name="rank-mode" checked={mode === 'allPairs'} onChange={() => setMode('allPairs')} className="accent-sky-600" />
          All pairs (DepictQA's protocol)
        </label>
      </fieldset>
      <div className="flex flex-wrap items-center gap-3">
        {running ? (
          <button type="button" onClick={stopRanking} className={`${PRIMARY_CLASS} bg-rose-600 hover:bg-rose-700 focus-visible:outline-rose-500`}>
            <Square aria-hidden="true" className="size-4" />
            Stop
          </button>
        ) : (
          <button type="button" onClick={() => void startRanking()} disabled={missing !== null} className={`${PRIMARY_CLASS} bg-sky-700 hover:bg-sky-800 focus-visible:outline-sky-500`}>
            <ListOrdered aria-hidden="true" className="size-4" />
            Rank
          </button>
        )}
        {candidates.length > 0 && !running && (
          <button type="button" onClick={clearCandidates} className={SECONDARY_CLASS}>
            <Trash2 aria-hidden="true" className="size-4" />
            Remove all
          </button>
        )}
        {missing !== null && !running && <p className="text-sm text-slate-500 dark:text-slate-400">{missing}</p>}
      </div>
      {running && progress !== null && <RankProgressBar progress={progress} />}
      {status === 'failed' && error !== null && (
        <div role="alert" className="rounded-lg border border-rose-200 bg-rose-50 p-3 text-sm text-rose-900 dark:border-rose-900 dark:bg-rose-950/40 dark:text-rose-100" data-testid="rank-error">
          <p>{error.message}</p>
          {error.hint !== undefined && <p className="mt-1 text-rose-800 dark:text-rose-200">{error.hint}</p>}
        </div>
      )}
      {result !== null && ranked !== null && <RankResults result={result} reference={ranked.reference} candidates={ranked.candidates} />}
    </section>
  );
}
