import { useEffect, useState } from 'react';
import type { RankProgress } from '../../state/useRankStore.ts';

/** Seconds left at the pace of the new comparisons so far; null before the first one. */
export function etaSeconds(progress: Pick<RankProgress, 'done' | 'prior' | 'planned' | 'comparingSince'>, now: number): number | null {
  const made = progress.done - progress.prior;
  if (progress.comparingSince === null || made <= 0) return null;
  const perComparison = (now - progress.comparingSince) / made;
  return (Math.max(0, progress.planned - progress.done) * perComparison) / 1000;
}

export function formatEta(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** performance.now(), once a second: what a progress bar's time left is measured against. */
export function useSecondClock(): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** Comparisons done of planned, with the time left; while the images are encoded, that instead. */
export function RankProgressBar({ progress }: { progress: RankProgress }) {
  const now = useSecondClock();
  const encoding = progress.encoded < progress.toEncode && progress.done === progress.prior;
  const planned = Math.max(progress.planned, progress.done);
  const eta = etaSeconds(progress, Math.max(now, progress.comparingSince ?? 0));
  return (
    <div className="space-y-1" data-testid="rank-progress" data-done={progress.done} data-planned={planned} data-prior={progress.prior}>
      <progress
        className="h-2 w-full overflow-hidden rounded-full [&::-webkit-progress-bar]:bg-slate-200 [&::-webkit-progress-value]:bg-sky-600 dark:[&::-webkit-progress-bar]:bg-slate-700"
        max={encoding ? progress.toEncode : planned || 1}
        value={encoding ? progress.encoded : progress.done}
        aria-label="Ranking progress"
      />
      <p className="text-xs text-slate-600 tabular-nums dark:text-slate-300">
        {encoding
          ? `Encoding images: ${progress.encoded} of ${progress.toEncode}`
          : `${progress.done} of ${planned === 0 ? '…' : `at most ${planned}`} comparisons${progress.prior > 0 ? ` (${progress.prior} from the saved ranking)` : ''}`}
        {!encoding && eta !== null && ` · about ${formatEta(eta)} left`}
      </p>
    </div>
  );
}
